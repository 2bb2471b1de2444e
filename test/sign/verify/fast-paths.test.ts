import assert from 'node:assert/strict';
import {
  createHash,
  createPublicKey,
  verify as cryptoVerify,
  generateKeyPairSync,
  type KeyObject,
  sign,
  webcrypto,
} from 'node:crypto';
import { before, describe, it } from 'node:test';
import { X509Certificate } from '@sigstore/core';
import { createCaCertificates } from '../../../src/sign/ca/authority.js';
import { WEBCRYPTO, x509 } from '../../../src/sign/ca/x509.js';
import { SignError } from '../../../src/sign/errors.js';
import { parseTrustedRoot, type TrustedRoot } from '../../../src/sign/trusted-root.js';
import { publicKeyFromSpki, tbsWithoutExtension } from '../../../src/sign/verify/der.js';
import { verifyBundle } from '../../../src/sign/verify/index.js';
import { expectCustodyError } from '../../helpers/expect-error.js';

/**
 * The verifier's shortcuts (issue [11], speed) give @sigstore/verify's verdicts and Custody's own:
 * the chain check over the TBS as signed (not re-encoded) still refuses a certificate whose TBS
 * is not minimal DER, as @sigstore/core's re-encoding does; P-256 keys imported from their point
 * are the keys the DER decoder gives, and an off-curve point is still malformed; a small artifact's
 * message signature, checked over its bytes, still verifies on P-256 and P-384 only.
 */

const IDENTITY = 'releaser@example.com';
const ISSUER = 'https://issuer.example';
const POLICY = { identity: IDENTITY, issuer: ISSUER };
const ARTIFACT = Buffer.from('the artifact\n');
const NO_LOG = { tlogThreshold: 0, timestampThreshold: 0 };
const V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';

interface Authority {
  root: Uint8Array;
  intermediate: Uint8Array;
  intermediateKey: KeyObject;
}

async function authority(): Promise<Authority> {
  const rootKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const intermediateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const certs = await createCaCertificates({
    rootKey,
    intermediateKey,
    subject: { organization: 'custody-test', commonName: 'fast-paths' },
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

/** A Fulcio-shaped 10-minute leaf for `publicKey` from `ca`'s intermediate. */
async function leaf(ca: Authority, publicKey: KeyObject): Promise<Uint8Array> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const signingKey = await webcrypto.subtle.importKey(
    'pkcs8',
    ca.intermediateKey.export({ format: 'der', type: 'pkcs8' }),
    alg,
    false,
    ['sign'],
  );
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
      publicKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
      signingKey,
      signingAlgorithm: alg,
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning], false),
        new x509.SubjectAlternativeNameExtension([{ type: 'email', value: IDENTITY }], true),
        new x509.Extension('1.3.6.1.4.1.57264.1.8', false, issuerExt),
      ],
    },
    WEBCRYPTO,
  );
  return new Uint8Array(cert.rawData);
}

function messageBundle(der: Uint8Array, signer: KeyObject, artifact: Uint8Array) {
  return {
    mediaType: V03,
    verificationMaterial: {
      certificate: { rawBytes: Buffer.from(der).toString('base64') },
      tlogEntries: [],
    },
    messageSignature: {
      messageDigest: {
        algorithm: 'SHA2_256',
        digest: createHash('sha256').update(artifact).digest('base64'),
      },
      signature: sign('sha256', artifact, signer).toString('base64'),
    },
  };
}

// DER, just enough to take a certificate apart and put it back together.
interface Tlv {
  tag: number;
  header: number;
  length: number;
  start: number;
}
function tlv(b: Uint8Array, at: number): Tlv {
  const tag = b[at] as number;
  let length = b[at + 1] as number;
  let header = 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (b[at + 2 + i] as number);
    header += n;
  }
  return { tag, header, length, start: at };
}
function children(b: Uint8Array, parent: Tlv): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = parent.start + parent.header; at < parent.start + parent.header + parent.length; ) {
    const t = tlv(b, at);
    out.push(b.subarray(at, at + t.header + t.length));
    at += t.header + t.length;
  }
  return out;
}
function encode(tag: number, content: Uint8Array, longForm = false): Uint8Array {
  const n = content.length;
  const len = n < 128 && !longForm ? [n] : n < 256 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...len]), content]);
}

/** The certificate with its TBS elements passed through `edit`, re-signed by the intermediate. */
function resigned(
  der: Uint8Array,
  ca: Authority,
  edit: (elements: Uint8Array[]) => Uint8Array[],
): Uint8Array {
  const [tbs, sigAlg] = children(der, tlv(der, 0)) as [Uint8Array, Uint8Array];
  const newTbs = encode(0x30, Buffer.concat(edit(children(tbs, tlv(tbs, 0)))));
  const sig = sign('sha256', newTbs, ca.intermediateKey);
  return encode(
    0x30,
    Buffer.concat([newTbs, sigAlg, encode(0x03, Buffer.concat([Buffer.from([0]), sig]))]),
  );
}

describe("the chain check over the TBS as signed keeps @sigstore/core's verdicts", () => {
  let ca: Authority;
  let trust: TrustedRoot;
  before(async () => {
    ca = await authority();
    trust = trustedRootOf(ca);
  });

  it('a leaf re-signed as it stands verifies (the edit below is what is refused)', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = resigned(await leaf(ca, pair.publicKey), ca, (e) => e);
    const v = verifyBundle(
      messageBundle(der, pair.privateKey, ARTIFACT),
      { data: ARTIFACT },
      POLICY,
      trust,
      NO_LOG,
    );
    assert.equal(v.signer.identity, IDENTITY);
  });

  it('a leaf whose TBS has a non-minimal length is refused, though its signature is over those bytes', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    // The serial number's length in long form: BER, not DER.
    const der = resigned(await leaf(ca, pair.publicKey), ca, (e) => {
      const serial = e[1] as Uint8Array;
      const rest = e.slice(2);
      return [e[0] as Uint8Array, encode(0x02, serial.subarray(2), true), ...rest];
    });
    // The signature holds over the bytes as they stand; @sigstore/core checks the re-encoding.
    const tbsLen = tlv(der, 4);
    const tbs = der.subarray(4, 4 + tbsLen.header + tbsLen.length);
    const interKey = createPublicKey({
      key: X509Certificate.parse(Buffer.from(ca.intermediate)).publicKey,
      format: 'der',
      type: 'spki',
    });
    const sigAt = children(der, tlv(der, 0))[2] as Uint8Array;
    assert.ok(cryptoVerify('sha256', tbs, interKey, sigAt.subarray(3)));
    assert.equal(
      X509Certificate.parse(Buffer.from(der)).verify(
        X509Certificate.parse(Buffer.from(ca.intermediate)),
      ),
      false,
    );
    expectCustodyError(
      () =>
        verifyBundle(
          messageBundle(der, pair.privateKey, ARTIFACT),
          { data: ARTIFACT },
          POLICY,
          trust,
          NO_LOG,
        ),
      SignError,
      'SIGN_CHAIN_INVALID',
    );
  });

  it('a leaf whose P-256 point is off the curve is refused as malformed', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = resigned(await leaf(ca, pair.publicKey), ca, (e) => {
      const spki = Buffer.from(e[6] as Uint8Array);
      spki[spki.length - 1] = (spki[spki.length - 1] as number) ^ 1;
      return [...e.slice(0, 6), spki, ...e.slice(7)];
    });
    expectCustodyError(
      () =>
        verifyBundle(
          messageBundle(der, pair.privateKey, ARTIFACT),
          { data: ARTIFACT },
          POLICY,
          trust,
          NO_LOG,
        ),
      SignError,
      'SIGN_BUNDLE_MALFORMED',
    );
  });
});

describe("keys imported from a P-256 point are the DER decoder's", () => {
  it('uncompressed P-256, compressed P-256 and P-384 give the same key as the DER decoder', () => {
    for (const [curve, form] of [
      ['P-256', 'uncompressed'],
      ['P-256', 'compressed'],
      ['P-384', 'uncompressed'],
    ] as const) {
      const pub = generateKeyPairSync('ec', { namedCurve: curve }).publicKey;
      let spki = pub.export({ format: 'der', type: 'spki' });
      if (form === 'compressed') {
        const jwk = pub.export({ format: 'jwk' });
        const y = Buffer.from(jwk.y ?? '', 'base64url');
        const x = Buffer.from(jwk.x ?? '', 'base64url');
        spki = Buffer.concat([
          Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex'),
          Buffer.from([((y.at(-1) as number) & 1) === 1 ? 3 : 2]),
          x,
        ]);
      }
      const key = publicKeyFromSpki(spki);
      assert.ok(key.equals(createPublicKey({ key: spki, format: 'der', type: 'spki' })), curve);
    }
  });

  it('an SPKI that is no key throws, as the DER decoder does', () => {
    assert.throws(() => publicKeyFromSpki(new Uint8Array(91)));
  });
});

describe("a message signature is checked on Custody's curves whatever the artifact's size", () => {
  // Keyed bundles: the key policy decides, no certificate or log in the way.
  function keyed(signer: KeyObject, artifact: Uint8Array, digest = 'sha256') {
    return {
      mediaType: V03,
      verificationMaterial: { publicKey: { hint: '' }, tlogEntries: [] },
      messageSignature: {
        messageDigest: {
          algorithm: 'SHA2_256',
          digest: createHash('sha256').update(artifact).digest('base64'),
        },
        signature: sign(digest, artifact, signer).toString('base64'),
      },
    };
  }
  const small = Buffer.from('a small artifact\n');
  const large = Buffer.alloc(64 * 1024 + 1, 7);

  for (const curve of ['P-256', 'P-384']) {
    it(`${curve}: small and large artifacts verify, a tampered signature does not`, () => {
      const pair = generateKeyPairSync('ec', { namedCurve: curve });
      for (const artifact of [small, large]) {
        const b = keyed(pair.privateKey, artifact);
        verifyBundle(b, { data: artifact }, { key: pair.publicKey }, [], NO_LOG);
        const sig = Buffer.from(b.messageSignature.signature, 'base64');
        sig[sig.length - 1] = (sig[sig.length - 1] as number) ^ 1;
        b.messageSignature.signature = sig.toString('base64');
        expectCustodyError(
          () => verifyBundle(b, { data: artifact }, { key: pair.publicKey }, [], NO_LOG),
          SignError,
          'SIGN_SIGNATURE_INVALID',
        );
      }
    });
  }

  it('P-521 is not a curve of the digest verifier: refused for small and large artifacts alike', () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-521' });
    for (const artifact of [small, large]) {
      expectCustodyError(
        () =>
          verifyBundle(
            keyed(pair.privateKey, artifact),
            { data: artifact },
            { key: pair.publicKey },
            [],
            NO_LOG,
          ),
        SignError,
        'SIGN_SIGNATURE_INVALID',
      );
    }
  });
});

describe("the SCT's precertificate is @sigstore/core's, built from the signed bytes", () => {
  it('the TBS without each extension equals the copy-remove-re-encode of @sigstore/verify', async () => {
    const ca = await authority();
    const der = await leaf(ca, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
    const cert = X509Certificate.parse(Buffer.from(der));
    assert.ok(cert.extensions.length >= 2);
    cert.extensions.forEach((_, i) => {
      const clone = cert.clone();
      clone.extensions.splice(i, 1);
      const fast = tbsWithoutExtension(cert, i);
      assert.ok(fast !== undefined);
      assert.deepEqual(Buffer.from(fast), clone.tbsCertificate.toDER(), `extension ${i}`);
    });
  });
});
