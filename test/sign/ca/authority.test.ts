import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate as NodeX509, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { X509Certificate } from '@sigstore/core';
import {
  claimExtensions,
  createCaCertificates,
  emergencyMarkOf,
  FULCIO_OID,
  GITHUB_ACTIONS_ISSUER,
  identityFromClaims,
  openCertificateAuthority,
  parseClientPublicKey,
  publicKeyFromCsr,
  verifyProofOfPossession,
} from '../../../src/sign/ca/index.js';
import { WEBCRYPTO, x509 } from '../../../src/sign/ca/x509.js';
import { SignError } from '../../../src/sign/errors.js';
import { expectCustodyError, expectCustodyErrorAsync } from '../../helpers/expect-error.js';

const NOW = new Date('2025-06-01T12:00:00.750Z');
const ec = (namedCurve: string) => generateKeyPairSync('ec', { namedCurve }).privateKey;

async function authority(curve = 'P-256') {
  const rootKey = ec(curve);
  const intermediateKey = ec(curve);
  const certs = await createCaCertificates({
    rootKey,
    intermediateKey,
    subject: { organization: 'Example', commonName: 'custody' },
    now: NOW,
  });
  const ca = await openCertificateAuthority({
    intermediateKey,
    chain: [certs.intermediate, certs.root],
  });
  return { certs, ca, rootKey, intermediateKey };
}

/** The GitHub Actions token claims of fulcio's docs (values shortened). */
const GITHUB = {
  iss: GITHUB_ACTIONS_ISSUER,
  sub: 'repo:octo/app:ref:refs/heads/main',
  aud: 'sigstore',
  ref: 'refs/heads/main',
  sha: 'abc123',
  repository: 'octo/app',
  repository_id: '42',
  repository_owner: 'octo',
  repository_owner_id: '7',
  repository_visibility: 'public',
  run_id: '1536140711',
  run_attempt: '1',
  workflow: 'Release',
  workflow_ref: 'octo/app/.github/workflows/release.yml@refs/heads/main',
  workflow_sha: 'abc123',
  job_workflow_ref: 'octo/app/.github/workflows/release.yml@refs/heads/main',
  job_workflow_sha: 'abc123',
  event_name: 'push',
  runner_environment: 'github-hosted',
};

describe('certificate authority', () => {
  for (const curve of ['P-256', 'P-384']) {
    it(`${curve}: root and intermediate form a chain sigstore-js walks, with CA constraints`, async () => {
      const { certs } = await authority(curve);
      const root = X509Certificate.parse(Buffer.from(certs.root));
      const inter = X509Certificate.parse(Buffer.from(certs.intermediate));
      assert.ok(root.verify());
      assert.ok(inter.verify(root));
      assert.ok(root.isCA && inter.isCA);
      assert.equal(Number(inter.extBasicConstraints?.pathLenConstraint), 0);
      assert.ok(
        inter.extAuthorityKeyID?.keyIdentifier?.equals(
          root.extSubjectKeyID?.keyIdentifier as Buffer,
        ),
      );
      assert.ok(inter.notAfter <= root.notAfter);
      assert.equal(new NodeX509(Buffer.from(certs.root)).subject, 'CN=custody\nO=Example');
    });
  }

  it('issues a 10-minute code-signing leaf naming an email, with the issuer extensions', async () => {
    const { ca, certs } = await authority();
    const client = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const issued = await ca.issue({
      publicKey: client.publicKey,
      identity: { kind: 'email', email: 'alice@example.com' },
      extensions: claimExtensions('https://issuer.example', {}),
      now: NOW,
    });
    assert.equal(issued.chainPem.length, 3);
    const leaf = X509Certificate.parse(Buffer.from(issued.der));
    assert.ok(leaf.verify(X509Certificate.parse(Buffer.from(certs.intermediate))));
    assert.equal(leaf.subjectAltName, 'alice@example.com');
    assert.equal(leaf.notBefore.toISOString(), '2025-06-01T12:00:00.000Z');
    assert.equal(leaf.notAfter.getTime() - leaf.notBefore.getTime(), 600_000);
    assert.ok(!leaf.isCA);
    assert.ok(leaf.extKeyUsage?.digitalSignature);
    assert.ok(!leaf.extKeyUsage?.keyCertSign);
    const node = new NodeX509(Buffer.from(issued.der));
    assert.equal(node.subject ?? '', '');
    assert.deepEqual(node.keyUsage, ['1.3.6.1.5.5.7.3.3']);
    assert.ok(node.publicKey.equals(client.publicKey));
    // sigstore-js reads the issuer from .8 (UTF8String) and falls back to .1 (raw bytes).
    assert.equal(
      leaf.extension(FULCIO_OID.issuerV1)?.value.toString('ascii'),
      'https://issuer.example',
    );
    const v2 = leaf.extension(FULCIO_OID.issuer);
    assert.equal(v2?.valueObj.subs[0]?.value.toString('utf8'), 'https://issuer.example');
    assert.equal(v2?.valueObj.subs[0]?.tag.number, 0x0c);
    assert.equal(emergencyMarkOf(issued.der), undefined);
  });

  it('names a GitHub workflow by URI and carries its CI claims in .9–.22', async () => {
    const { ca } = await authority();
    const { identity } = identityFromClaims(GITHUB);
    assert.deepEqual(identity, {
      kind: 'uri',
      uri: 'https://github.com/octo/app/.github/workflows/release.yml@refs/heads/main',
    });
    const issued = await ca.issue({
      publicKey: generateKeyPairSync('ed25519').publicKey,
      identity,
      extensions: claimExtensions(GITHUB.iss, GITHUB),
      now: NOW,
    });
    const leaf = X509Certificate.parse(Buffer.from(issued.der));
    assert.equal(leaf.subjectAltName, identity.uri);
    const utf8 = (oid: string) => leaf.extension(oid)?.valueObj.subs[0]?.value.toString('utf8');
    assert.deepEqual(
      {
        buildSignerUri: utf8(FULCIO_OID.buildSignerUri),
        buildSignerDigest: utf8(FULCIO_OID.buildSignerDigest),
        runnerEnvironment: utf8(FULCIO_OID.runnerEnvironment),
        sourceRepositoryUri: utf8(FULCIO_OID.sourceRepositoryUri),
        sourceRepositoryDigest: utf8(FULCIO_OID.sourceRepositoryDigest),
        sourceRepositoryRef: utf8(FULCIO_OID.sourceRepositoryRef),
        sourceRepositoryIdentifier: utf8(FULCIO_OID.sourceRepositoryIdentifier),
        sourceRepositoryOwnerUri: utf8(FULCIO_OID.sourceRepositoryOwnerUri),
        sourceRepositoryOwnerIdentifier: utf8(FULCIO_OID.sourceRepositoryOwnerIdentifier),
        buildConfigUri: utf8(FULCIO_OID.buildConfigUri),
        buildConfigDigest: utf8(FULCIO_OID.buildConfigDigest),
        buildTrigger: utf8(FULCIO_OID.buildTrigger),
        runInvocationUri: utf8(FULCIO_OID.runInvocationUri),
        visibility: utf8(FULCIO_OID.sourceRepositoryVisibilityAtSigning),
      },
      {
        buildSignerUri: 'https://github.com/octo/app/.github/workflows/release.yml@refs/heads/main',
        buildSignerDigest: 'abc123',
        runnerEnvironment: 'github-hosted',
        sourceRepositoryUri: 'https://github.com/octo/app',
        sourceRepositoryDigest: 'abc123',
        sourceRepositoryRef: 'refs/heads/main',
        sourceRepositoryIdentifier: '42',
        sourceRepositoryOwnerUri: 'https://github.com/octo',
        sourceRepositoryOwnerIdentifier: '7',
        buildConfigUri: 'https://github.com/octo/app/.github/workflows/release.yml@refs/heads/main',
        buildConfigDigest: 'abc123',
        buildTrigger: 'push',
        runInvocationUri: 'https://github.com/octo/app/actions/runs/1536140711/attempts/1',
        visibility: 'public',
      },
    );
    assert.equal(leaf.extension(FULCIO_OID.githubWorkflowTrigger)?.value.toString(), 'push');
    assert.equal(leaf.extension(FULCIO_OID.githubWorkflowRepository)?.value.toString(), 'octo/app');
  });

  it('leaves out the CI extensions a token lacks, and all of them for a non-workflow token', () => {
    const partial = claimExtensions(GITHUB.iss, {
      ...GITHUB,
      repository_visibility: undefined,
      run_id: undefined,
    });
    assert.ok(!partial.some((e) => e.oid === FULCIO_OID.sourceRepositoryVisibilityAtSigning));
    assert.ok(!partial.some((e) => e.oid === FULCIO_OID.runInvocationUri));
    assert.equal(claimExtensions('https://x', { sub: 'a', repository: 'o/r' }).length, 2);
  });

  it('marks an emergency certificate and gives it the longer life asked for', async () => {
    const { ca } = await authority();
    const issued = await ca.issue({
      publicKey: generateKeyPairSync('ed25519').publicKey,
      identity: { kind: 'email', email: 'oncall@example.com' },
      extensions: [],
      now: NOW,
      lifetimeSeconds: 24 * 3600,
      emergency: { approver: 'bob@example.com', reason: 'Fulcio outage INC-1' },
    });
    assert.deepEqual(emergencyMarkOf(issued.der), {
      approver: 'bob@example.com',
      reason: 'Fulcio outage INC-1',
    });
    assert.ok(new NodeX509(Buffer.from(issued.der)).toString().length > 0);
    assert.equal(issued.notAfter.getTime() - issued.notBefore.getTime(), 24 * 3600 * 1000);
  });

  it('refuses to issue past the intermediate, and to open with a key that is not the intermediate', async () => {
    const { ca, certs } = await authority();
    const e = await expectCustodyErrorAsync(
      () =>
        ca.issue({
          publicKey: generateKeyPairSync('ed25519').publicKey,
          identity: { kind: 'email', email: 'a@b.c' },
          extensions: [],
          now: new Date(NOW.getTime() + 6 * 365 * 86_400_000),
        }),
      SignError,
      'SIGN_SERVICE_FAILED',
    );
    assert.equal(e.details?.['reason'], 'ca-expired');
    await expectCustodyErrorAsync(
      () =>
        openCertificateAuthority({
          intermediateKey: ec('P-256'),
          chain: [certs.intermediate, certs.root],
        }),
      SignError,
      'SIGN_KEY_INVALID',
    );
    await expectCustodyErrorAsync(
      () =>
        createCaCertificates({
          rootKey: generateKeyPairSync('ed25519').privateKey,
          intermediateKey: ec('P-256'),
          subject: { organization: 'x', commonName: 'y' },
          now: NOW,
        }),
      SignError,
      'SIGN_KEY_INVALID',
    );
  });
});

describe('identityFromClaims', () => {
  it('email when verified, URI subjects, and refuses the rest', () => {
    assert.deepEqual(identityFromClaims({ sub: '1', email: 'a@b.c', email_verified: true }), {
      identity: { kind: 'email', email: 'a@b.c' },
      challenge: 'a@b.c',
    });
    assert.deepEqual(identityFromClaims({ sub: 'spiffe://example.org/ci' }), {
      identity: { kind: 'uri', uri: 'spiffe://example.org/ci' },
      challenge: 'spiffe://example.org/ci',
    });
    const reason = (c: Record<string, unknown>) =>
      expectCustodyError(() => identityFromClaims(c), SignError, 'SIGN_TOKEN_INVALID').details?.[
        'reason'
      ];
    assert.equal(reason({ sub: '1', email: 'a@b.c' }), 'email-unverified');
    assert.equal(reason({ sub: '1', email: 'a@b.c', email_verified: 'true' }), 'email-unverified');
    assert.equal(reason({ sub: 'alice' }), 'subject-unsupported');
    assert.equal(
      reason({ sub: '1', email: 'not an email', email_verified: true }),
      'subject-unsupported',
    );
  });
});

describe('proof of possession', () => {
  const challenge = 'alice@example.com';
  const cases = {
    'ECDSA P-256': generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    'ECDSA P-384': generateKeyPairSync('ec', { namedCurve: 'P-384' }),
    Ed25519: generateKeyPairSync('ed25519'),
    'RSA 2048': generateKeyPairSync('rsa', { modulusLength: 2048 }),
  };
  for (const [name, k] of Object.entries(cases)) {
    it(`${name}: a signature over the challenge proves possession; another does not`, () => {
      const pem = k.publicKey.export({ type: 'spki', format: 'pem' }) as string;
      const key = parseClientPublicKey(pem);
      const der = (k.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString(
        'base64',
      );
      assert.ok(parseClientPublicKey(der).equals(key));
      const hash = name === 'ECDSA P-384' ? 'sha384' : name === 'Ed25519' ? null : 'sha256';
      verifyProofOfPossession(key, challenge, sign(hash, Buffer.from(challenge), k.privateKey));
      const e = expectCustodyError(
        () =>
          verifyProofOfPossession(key, challenge, sign(hash, Buffer.from('mallory'), k.privateKey)),
        SignError,
        'SIGN_CSR_INVALID',
      );
      assert.equal(e.details?.['reason'], 'proof-of-possession');
      expectCustodyError(
        () => verifyProofOfPossession(key, challenge, new Uint8Array(3)),
        SignError,
        'SIGN_CSR_INVALID',
      );
    });
  }

  it('refuses unreadable and weak keys', () => {
    const reason = (s: string) =>
      expectCustodyError(() => parseClientPublicKey(s), SignError, 'SIGN_CSR_INVALID').details?.[
        'reason'
      ];
    assert.equal(
      reason('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'),
      'public-key',
    );
    assert.equal(reason('not base64 der'), 'public-key');
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    assert.equal(reason(small.export({ type: 'spki', format: 'pem' }) as string), 'key-type');
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey;
    assert.equal(reason(k1.export({ type: 'spki', format: 'pem' }) as string), 'key-type');
  });

  it('a CSR is its own proof: its key is returned when its signature verifies', async () => {
    const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const keys = await WEBCRYPTO.subtle.generateKey(alg, true, ['sign', 'verify']);
    const csr = await x509.Pkcs10CertificateRequestGenerator.create(
      { name: 'CN=ignored', keys, signingAlgorithm: alg },
      WEBCRYPTO,
    );
    const key = await publicKeyFromCsr(csr.toString('pem'));
    const spki = Buffer.from(await WEBCRYPTO.subtle.exportKey('spki', keys.publicKey));
    assert.ok(key.export({ type: 'spki', format: 'der' }).equals(spki));
    assert.ok((await publicKeyFromCsr(new Uint8Array(csr.rawData))).equals(key));
    // A request whose signature was tampered with.
    const der = Buffer.from(csr.rawData);
    der[der.length - 5] = (der[der.length - 5] as number) ^ 1;
    const e = await expectCustodyErrorAsync(
      () => publicKeyFromCsr(new Uint8Array(der)),
      SignError,
      'SIGN_CSR_INVALID',
    );
    assert.ok(['proof-of-possession', 'csr-malformed'].includes(e.details?.['reason'] as string));
    await expectCustodyErrorAsync(() => publicKeyFromCsr('garbage'), SignError, 'SIGN_CSR_INVALID');
  });
});
