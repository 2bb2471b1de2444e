import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, type KeyObject, sign, webcrypto } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { createCaCertificates } from '../../../src/sign/ca/authority.js';
import { WEBCRYPTO, x509 } from '../../../src/sign/ca/x509.js';
import { SignError } from '../../../src/sign/errors.js';
import { parseTrustedRoot, type TrustedRoot } from '../../../src/sign/trusted-root.js';
import { verifyBundle } from '../../../src/sign/verify/index.js';
import { expectCustodyError } from '../../helpers/expect-error.js';

/**
 * The signing certificate and the certificates a bundle carries beside it, checked against a real
 * CA made here (Custody's own createCaCertificates): leaves that leave out digitalSignature or
 * code signing (issue 11: the key-usage check had no leaf that must fail it), and v0.1/v0.2
 * chains that bring a root or intermediate of their own (bundle-with-root-cert_fail's rule).
 * Bundles carry no log entry and are verified with tlogThreshold and timestampThreshold 0: what
 * is under test is decided before the log and the times are looked at.
 */

const IDENTITY = 'releaser@example.com';
const ISSUER = 'https://issuer.example';
const POLICY = { identity: IDENTITY, issuer: ISSUER };
const ARTIFACT = Buffer.from('the artifact\n');
const NO_LOG = { tlogThreshold: 0, timestampThreshold: 0 };
const V02 = 'application/vnd.dev.sigstore.bundle+json;version=0.2';
const V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';

interface Authority {
  root: Uint8Array;
  intermediate: Uint8Array;
  intermediateKey: KeyObject;
}

async function authority(name: string): Promise<Authority> {
  const rootKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const intermediateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const certs = await createCaCertificates({
    rootKey,
    intermediateKey,
    subject: { organization: 'custody-test', commonName: name },
    now: new Date(Date.now() - 3_600_000),
  });
  return { ...certs, intermediateKey };
}

function trustedRootOf(ca: Authority): TrustedRoot {
  const b64 = (d: Uint8Array) => Buffer.from(d).toString('base64');
  return parseTrustedRoot({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [],
    certificateAuthorities: [
      {
        subject: { organization: 'custody-test', commonName: 'trusted' },
        uri: 'https://ca.example',
        certChain: {
          certificates: [{ rawBytes: b64(ca.intermediate) }, { rawBytes: b64(ca.root) }],
        },
        validFor: { start: new Date(Date.now() - 86_400_000).toISOString() },
      },
    ],
    ctlogs: [],
    timestampAuthorities: [],
  });
}

interface LeafOptions {
  keyUsage?: number;
  extendedKeyUsages?: string[];
}

/** A 10-minute leaf from `ca`'s intermediate, Fulcio-shaped unless the options say otherwise. */
async function leaf(
  ca: Authority,
  o: LeafOptions = {},
): Promise<{ der: Uint8Array; key: KeyObject }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const signingKey = await webcrypto.subtle.importKey(
    'pkcs8',
    ca.intermediateKey.export({ format: 'der', type: 'pkcs8' }),
    alg,
    false,
    ['sign'],
  );
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const inter = new x509.X509Certificate(Buffer.from(ca.intermediate));
  const issuerExt = Buffer.concat([Buffer.from([0x0c, ISSUER.length]), Buffer.from(ISSUER)]);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: '0badc0de',
      subject: '',
      issuer: inter.subjectName,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 540_000),
      publicKey: new Uint8Array(pair.publicKey.export({ format: 'der', type: 'spki' })),
      signingKey,
      signingAlgorithm: alg,
      extensions: [
        new x509.KeyUsagesExtension(o.keyUsage ?? x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension(
          o.extendedKeyUsages ?? [x509.ExtendedKeyUsage.codeSigning],
          false,
        ),
        new x509.SubjectAlternativeNameExtension([{ type: 'email', value: IDENTITY }], true),
        new x509.Extension('1.3.6.1.4.1.57264.1.8', false, issuerExt),
      ],
    },
    WEBCRYPTO,
  );
  return { der: new Uint8Array(cert.rawData), key: pair.privateKey };
}

/** A message-signature bundle over ARTIFACT by `signer`, carrying `certs` (leaf first). */
function bundle(mediaType: string, signer: KeyObject, certs: Uint8Array[]) {
  const b64 = (d: Uint8Array) => Buffer.from(d).toString('base64');
  return {
    mediaType,
    verificationMaterial:
      mediaType === V03 && certs.length === 1
        ? { certificate: { rawBytes: b64(certs[0] as Uint8Array) }, tlogEntries: [] }
        : {
            x509CertificateChain: { certificates: certs.map((d) => ({ rawBytes: b64(d) })) },
            tlogEntries: [],
          },
    messageSignature: {
      messageDigest: {
        algorithm: 'SHA2_256',
        digest: createHash('sha256').update(ARTIFACT).digest('base64'),
      },
      signature: sign('sha256', ARTIFACT, signer).toString('base64'),
    },
  };
}

const verify = (json: unknown, trust: TrustedRoot) =>
  verifyBundle(json, { data: ARTIFACT }, POLICY, trust, NO_LOG);

describe('the signing certificate must be for code signing', () => {
  let ca: Authority;
  let trust: TrustedRoot;
  before(async () => {
    ca = await authority('leaf-profile');
    trust = trustedRootOf(ca);
  });

  it('a Fulcio-shaped leaf (digitalSignature, code signing) verifies', async () => {
    const l = await leaf(ca);
    const v = verify(bundle(V03, l.key, [l.der]), trust);
    assert.equal(v.signer.identity, IDENTITY);
  });

  it('a leaf whose key usage leaves out digitalSignature is refused', async () => {
    const l = await leaf(ca, {
      keyUsage: x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyAgreement,
    });
    const e = expectCustodyError(
      () => verify(bundle(V03, l.key, [l.der]), trust),
      SignError,
      'SIGN_CHAIN_INVALID',
    );
    assert.match(e.message, /digitalSignature/);
  });

  it('a leaf whose extended key usages leave out code signing is refused', async () => {
    const l = await leaf(ca, {
      extendedKeyUsages: [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.emailProtection],
    });
    const e = expectCustodyError(
      () => verify(bundle(V03, l.key, [l.der]), trust),
      SignError,
      'SIGN_CHAIN_INVALID',
    );
    assert.match(e.message, /not for code signing.*1\.3\.6\.1\.5\.5\.7\.3\.1/);
  });
});

describe("a v0.1/v0.2 bundle's chain holds only certificates the trusted root holds", () => {
  let ca: Authority;
  let other: Authority;
  let trust: TrustedRoot;
  let l: { der: Uint8Array; key: KeyObject };
  before(async () => {
    ca = await authority('trusted');
    other = await authority('untrusted');
    trust = trustedRootOf(ca);
    l = await leaf(ca);
  });

  it('the leaf alone, or with the trusted intermediate and root (old public-good bundles), verifies', () => {
    verify(bundle(V02, l.key, [l.der]), trust);
    verify(bundle(V02, l.key, [l.der, ca.intermediate]), trust);
    verify(bundle(V02, l.key, [l.der, ca.intermediate, ca.root]), trust);
  });

  for (const [desc, chain, reason, index] of [
    ['a root of its own', (): Uint8Array[] => [other.root], 'root-not-trusted', 1],
    [
      'a root of its own after the trusted intermediate',
      (): Uint8Array[] => [ca.intermediate, other.root],
      'root-not-trusted',
      2,
    ],
    [
      'an intermediate the trusted root does not hold',
      (): Uint8Array[] => [other.intermediate],
      'intermediate-not-trusted',
      1,
    ],
  ] as const) {
    it(`a chain with ${desc} is refused (${reason})`, () => {
      const e = expectCustodyError(
        () => verify(bundle(V02, l.key, [l.der, ...chain()]), trust),
        SignError,
        'SIGN_BUNDLE_CHAIN_INVALID',
      );
      assert.deepEqual(e.details, { reason, index });
    });
  }

  it('a v0.3 bundle carries its leaf alone: a chain there is malformed', () => {
    expectCustodyError(
      () => verify(bundle(V03, l.key, [l.der, ca.intermediate]), trust),
      SignError,
      'SIGN_BUNDLE_MALFORMED',
    );
  });
});
