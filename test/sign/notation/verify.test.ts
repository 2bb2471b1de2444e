import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildNotationPayload,
  buildTrustStores,
  type LevelName,
  MEDIA_TYPE_COSE,
  MEDIA_TYPE_JWS,
  NotationError,
  type NotationVerification,
  PAYLOAD_CONTENT_TYPE,
  parseEnvelope,
  parseTrustPolicy,
  signJws,
  signNotation,
  type TargetArtifact,
  type TrustStoreFile,
  verifyNotationSignature,
} from '../../../src/sign/notation/index.js';
import { expectCustodyError, expectCustodyErrorAsync } from '../../helpers/expect-error.js';
import { chainOf, issue, type KeyKind, LEAF_DN, ROOT_DN } from './pki.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const OTHER = `sha256:${'cd'.repeat(32)}`;
const REF = `registry.example/team/app@${DIGEST}`;
const TARGET: TargetArtifact = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: DIGEST,
  size: 1234,
  annotations: { 'io.wabbit-networks.buildId': '123' },
};
const NOW = new Date('2026-12-03T12:00:00Z');
const SIGNED_AT = new Date('2026-12-01T00:00:00Z');

function policy(over: Record<string, unknown> = {}, sv: Record<string, unknown> = {}) {
  return parseTrustPolicy(
    JSON.stringify({
      version: '1.0',
      trustPolicies: [
        {
          name: 'app',
          registryScopes: ['registry.example/team/app'],
          signatureVerification: { level: 'strict', ...sv },
          trustStores: ['ca:test'],
          trustedIdentities: ['x509.subject: C=US, ST=WA, O=Custody Test'],
          ...over,
        },
      ],
    }),
  );
}

const store = (type: TrustStoreFile['type'], name: string, ...ders: Uint8Array[]) =>
  ders.map((bytes, i) => ({ type, store: name, file: `${i}.crt`, bytes }));

async function fixture(kind: KeyKind = 'p256', mediaType = MEDIA_TYPE_JWS) {
  const pki = await chainOf(kind);
  const envelope = signNotation({
    target: TARGET,
    mediaType: mediaType as typeof MEDIA_TYPE_JWS,
    key: pki.leaf.key,
    chain: pki.chain,
    signingTime: SIGNED_AT,
    signingAgent: 'custody-test/1',
  });
  return { pki, envelope, stores: buildTrustStores(store('ca', 'test', pki.root.der)) };
}

const failed = (v: NotationVerification) =>
  v.results.filter((r) => !r.ok).map((r) => `${r.validation}:${r.action}`);

describe('verifyNotationSignature', () => {
  for (const kind of ['rsa2048', 'rsa3072', 'rsa4096', 'p256', 'p384', 'p521'] as const)
    for (const mediaType of [MEDIA_TYPE_JWS, MEDIA_TYPE_COSE])
      it(`verifies a ${mediaType} envelope signed with ${kind}`, async () => {
        const { envelope, stores } = await fixture(kind, mediaType);
        const v = await verifyNotationSignature(
          { envelope, mediaType, artifactReference: REF, artifactDigest: DIGEST },
          { policy: policy(), trustStores: stores },
          NOW,
        );
        assert.equal(v.verified, true, JSON.stringify(v.results));
        assert.deepEqual(failed(v), []);
        assert.equal(v.signer, 'CN=builder,OU=Builds,O=Custody Test,L=Seattle,ST=WA,C=US');
        assert.equal(v.signingScheme, 'notary.x509');
        assert.deepEqual(v.signingTime, SIGNED_AT);
        assert.deepEqual(v.annotations, TARGET.annotations);
        assert.equal(v.signingAgent, 'custody-test/1');
        assert.deepEqual(
          v.results.map((r) => r.validation),
          ['integrity', 'authenticity', 'expiry', 'authenticTimestamp', 'revocation'],
        );
        const expectedAlg = {
          rsa2048: 'PS256',
          rsa3072: 'PS384',
          rsa4096: 'PS512',
          p256: 'ES256',
          p384: 'ES384',
          p521: 'ES512',
        }[kind];
        assert.equal(parseEnvelope(mediaType, envelope).alg, expectedAlg);
      });

  it('fails integrity when the payload is tampered with', async () => {
    const { envelope, stores } = await fixture();
    const env = JSON.parse(Buffer.from(envelope).toString());
    const payload = JSON.parse(Buffer.from(env.payload, 'base64url').toString());
    payload.targetArtifact.size = 9999;
    env.payload = Buffer.from(JSON.stringify(payload)).toString('base64url');
    for (const level of ['strict', 'permissive', 'audit'] as LevelName[]) {
      const v = await verifyNotationSignature(
        {
          envelope: Buffer.from(JSON.stringify(env)),
          mediaType: MEDIA_TYPE_JWS,
          artifactReference: REF,
          artifactDigest: DIGEST,
        },
        { policy: policy({}, { level }), trustStores: stores },
        NOW,
      );
      assert.equal(v.verified, false);
      assert.deepEqual(failed(v), ['integrity:enforce']);
      assert.match(v.results[0]?.failure ?? '', /does not verify/);
    }
  });

  it('fails integrity when a COSE signature byte flips', async () => {
    const { envelope, stores } = await fixture('p384', MEDIA_TYPE_COSE);
    const bad = new Uint8Array(envelope);
    bad[bad.length - 5] = (bad[bad.length - 5] as number) ^ 1;
    const v = await verifyNotationSignature(
      { envelope: bad, mediaType: MEDIA_TYPE_COSE, artifactReference: REF, artifactDigest: DIGEST },
      { policy: policy(), trustStores: stores },
      NOW,
    );
    assert.deepEqual(failed(v), ['integrity:enforce']);
  });

  it('fails integrity for another artifact digest', async () => {
    const { envelope, stores } = await fixture();
    const v = await verifyNotationSignature(
      {
        envelope,
        mediaType: MEDIA_TYPE_JWS,
        artifactReference: `registry.example/team/app@${OTHER}`,
        artifactDigest: OTHER,
      },
      { policy: policy(), trustStores: stores },
      NOW,
    );
    assert.equal(v.verified, false);
    assert.deepEqual(failed(v), ['integrity:enforce']);
    assert.match(v.results[0]?.failure ?? '', /is for sha256:abab/);
  });

  it('checks user metadata against the signed annotations', async () => {
    const { envelope, stores } = await fixture();
    const run = (userMetadata: Record<string, string>) =>
      verifyNotationSignature(
        {
          envelope,
          mediaType: MEDIA_TYPE_JWS,
          artifactReference: REF,
          artifactDigest: DIGEST,
          userMetadata,
        },
        { policy: policy(), trustStores: stores },
        NOW,
      );
    // notation-go TestVerifyUserMetadata: {} ok, {buildId:123} ok, {buildId:321} fails.
    assert.equal((await run({})).verified, true);
    assert.equal((await run({ 'io.wabbit-networks.buildId': '123' })).verified, true);
    assert.equal((await run({ 'io.wabbit-networks.buildId': '321' })).verified, false);
    assert.equal((await run({ 'io.wabbit-networks.buildId': '123', other: '1' })).verified, false);
  });

  it('fails authenticity with a trust store that does not hold the root: enforced or logged by level', async () => {
    const { envelope } = await fixture();
    const other = await issue({ subject: ROOT_DN, ca: true });
    const stores = buildTrustStores(store('ca', 'test', other.der));
    const expect = {
      strict: ['authenticity:enforce'],
      permissive: ['authenticity:enforce'],
      audit: ['authenticity:log'],
    };
    for (const level of ['strict', 'permissive', 'audit'] as const) {
      const v = await verifyNotationSignature(
        { envelope, mediaType: MEDIA_TYPE_JWS, artifactReference: REF, artifactDigest: DIGEST },
        { policy: policy({}, { level }), trustStores: stores },
        NOW,
      );
      assert.deepEqual(failed(v), expect[level], level);
      assert.equal(v.verified, level === 'audit');
      assert.match(
        v.results.find((r) => !r.ok)?.failure ?? '',
        /does not contain any trusted certificate/,
      );
    }
  });

  it('fails authenticity for a trust store the policy names but that does not exist', async () => {
    const { envelope, stores } = await fixture();
    const v = await verifyNotationSignature(
      { envelope, mediaType: MEDIA_TYPE_JWS, artifactReference: REF, artifactDigest: DIGEST },
      { policy: policy({ trustStores: ['ca:missing'] }), trustStores: stores },
      NOW,
    );
    assert.deepEqual(failed(v), ['authenticity:enforce']);
    assert.match(v.results[1]?.failure ?? '', /"missing" of type "ca" does not exist/);
  });

  it('fails authenticity for another identity, and matches a subset of the subject', async () => {
    const { envelope, stores } = await fixture();
    const run = (ids: string[]) =>
      verifyNotationSignature(
        { envelope, mediaType: MEDIA_TYPE_JWS, artifactReference: REF, artifactDigest: DIGEST },
        { policy: policy({ trustedIdentities: ids }), trustStores: stores },
        NOW,
      );
    const wrong = await run(['x509.subject: C=IN, ST=TG, O=DummyOrg, CN=LOL']);
    assert.deepEqual(failed(wrong), ['authenticity:enforce']);
    assert.match(wrong.results[1]?.failure ?? '', /matches no trusted identity/);
    assert.equal((await run([`x509.subject: ${LEAF_DN}`])).verified, true);
    assert.equal(
      (await run(['x509.subject: S=WA, C=US, O=Custody Test, OU=Builds'])).verified,
      true,
    );
    assert.equal((await run(['*'])).verified, true);
    assert.equal(
      (await run(['x509.subject: C=US, ST=WA, O=Custody Test, OU=Other'])).verified,
      false,
    );
  });

  it('fails integrity when the leaf breaks the certificate requirements, and the signer refuses it', async () => {
    for (const defect of ['no-key-usage', 'non-critical-key-usage', 'server-auth'] as const) {
      const pki = await chainOf('p256', { defect });
      expectCustodyError(
        () =>
          signNotation({
            target: TARGET,
            mediaType: MEDIA_TYPE_JWS,
            key: pki.leaf.key,
            chain: pki.chain,
            signingTime: SIGNED_AT,
          }),
        NotationError,
        'SIGN_NOTATION_CERTIFICATE_INVALID',
      );
      // Made without the signer's checks, the envelope fails integrity at every level.
      const envelope = signJws({
        payload: buildNotationPayload(TARGET),
        contentType: PAYLOAD_CONTENT_TYPE,
        signingScheme: 'notary.x509',
        signingTime: SIGNED_AT,
        key: pki.leaf.key,
        alg: 'ES256',
        chain: pki.chain,
      });
      const v = await verifyNotationSignature(
        { envelope, mediaType: MEDIA_TYPE_JWS, artifactReference: REF, artifactDigest: DIGEST },
        {
          policy: policy({}, { level: 'audit' }),
          trustStores: buildTrustStores(store('ca', 'test', pki.root.der)),
        },
        NOW,
      );
      assert.deepEqual(failed(v), ['integrity:enforce'], defect);
      assert.match(v.results[0]?.failure ?? '', /certificate chain is invalid/);
    }
  });

  it('fails the authentic timestamp check for an expired certificate (no TSA configured)', async () => {
    const root = await issue({ subject: ROOT_DN, ca: true });
    const leaf = await issue({
      subject: LEAF_DN,
      issuer: root,
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2026-06-01T00:00:00Z'),
    });
    const envelope = signNotation({
      target: TARGET,
      mediaType: MEDIA_TYPE_JWS,
      key: leaf.key,
      chain: [leaf.der, root.der],
      signingTime: new Date('2026-03-01T00:00:00Z'),
    });
    const stores = buildTrustStores(store('ca', 'test', root.der));
    const expect = {
      strict: ['authenticTimestamp:enforce'],
      permissive: ['authenticTimestamp:log'],
      audit: ['authenticTimestamp:log'],
    };
    for (const level of ['strict', 'permissive', 'audit'] as const) {
      const v = await verifyNotationSignature(
        { envelope, mediaType: MEDIA_TYPE_JWS, artifactReference: REF, artifactDigest: DIGEST },
        { policy: policy({}, { level }), trustStores: stores },
        NOW,
      );
      assert.deepEqual(failed(v), expect[level], level);
      assert.match(v.results.find((r) => !r.ok)?.failure ?? '', /expired/);
      assert.equal(v.verified, level !== 'strict');
    }
    // An override turns the enforced failure into a logged one.
    const custom = await verifyNotationSignature(
      { envelope, mediaType: MEDIA_TYPE_JWS, artifactReference: REF, artifactDigest: DIGEST },
      {
        policy: policy({}, { level: 'strict', override: { authenticTimestamp: 'log' } }),
        trustStores: stores,
      },
      NOW,
    );
    assert.equal(custom.level, 'custom');
    assert.equal(custom.verified, true);
  });

  it('fails expiry once the signature expired: enforced under strict, logged under permissive', async () => {
    const pki = await chainOf();
    const envelope = signNotation({
      target: TARGET,
      mediaType: MEDIA_TYPE_COSE,
      key: pki.leaf.key,
      chain: pki.chain,
      signingTime: SIGNED_AT,
      expiry: new Date('2026-12-02T00:00:00Z'),
    });
    const stores = buildTrustStores(store('ca', 'test', pki.root.der));
    for (const [level, want] of [
      ['strict', 'expiry:enforce'],
      ['permissive', 'expiry:log'],
      ['audit', 'expiry:log'],
    ] as const) {
      const v = await verifyNotationSignature(
        { envelope, mediaType: MEDIA_TYPE_COSE, artifactReference: REF, artifactDigest: DIGEST },
        { policy: policy({}, { level }), trustStores: stores },
        NOW,
      );
      assert.deepEqual(failed(v), [want]);
    }
    const before = await verifyNotationSignature(
      { envelope, mediaType: MEDIA_TYPE_COSE, artifactReference: REF, artifactDigest: DIGEST },
      { policy: policy(), trustStores: stores },
      new Date('2026-12-01T12:00:00Z'),
    );
    assert.equal(before.verified, true);
  });

  it('checks revocation through the checker given, skips it when the policy says so', async () => {
    const { envelope, stores } = await fixture();
    const input = {
      envelope,
      mediaType: MEDIA_TYPE_JWS,
      artifactReference: REF,
      artifactDigest: DIGEST,
    };
    const revoked = await verifyNotationSignature(
      input,
      { policy: policy(), trustStores: stores, revocation: () => 'revoked' },
      NOW,
    );
    assert.deepEqual(failed(revoked), ['revocation:enforce']);
    const permissive = await verifyNotationSignature(
      input,
      {
        policy: policy({}, { level: 'permissive' }),
        trustStores: stores,
        revocation: async () => 'unknown' as const,
      },
      NOW,
    );
    assert.deepEqual(failed(permissive), ['revocation:log']);
    assert.equal(permissive.verified, true);
    const skipped = await verifyNotationSignature(
      input,
      {
        policy: policy({}, { level: 'strict', override: { revocation: 'skip' } }),
        trustStores: stores,
        revocation: () => 'revoked',
      },
      NOW,
    );
    assert.equal(skipped.verified, true);
    assert.ok(!skipped.results.some((r) => r.validation === 'revocation'));
  });

  it('verifies notary.x509.signingAuthority against the signingAuthority store only', async () => {
    const pki = await chainOf('rsa3072');
    const envelope = signNotation({
      target: TARGET,
      mediaType: MEDIA_TYPE_JWS,
      key: pki.leaf.key,
      chain: pki.chain,
      signingTime: SIGNED_AT,
      signingScheme: 'notary.x509.signingAuthority',
    });
    const env = parseEnvelope(MEDIA_TYPE_JWS, envelope);
    assert.deepEqual(env.authenticSigningTime, SIGNED_AT);
    const input = {
      envelope,
      mediaType: MEDIA_TYPE_JWS,
      artifactReference: REF,
      artifactDigest: DIGEST,
    };
    const sa = await verifyNotationSignature(
      input,
      {
        policy: policy({ trustStores: ['signingAuthority:sa'] }),
        trustStores: buildTrustStores(store('signingAuthority', 'sa', pki.root.der)),
      },
      NOW,
    );
    assert.equal(sa.verified, true, JSON.stringify(sa.results));
    assert.deepEqual(sa.authenticSigningTime, SIGNED_AT);
    // The same root in a CA store does not make a signing authority (signing-scheme FAQ).
    const ca = await verifyNotationSignature(
      input,
      {
        policy: policy({ trustStores: ['ca:test', 'signingAuthority:sa'] }),
        trustStores: buildTrustStores([
          ...store('ca', 'test', pki.root.der),
          ...store('signingAuthority', 'sa', (await issue({ subject: ROOT_DN, ca: true })).der),
        ]),
      },
      NOW,
    );
    assert.deepEqual(failed(ca), ['authenticity:enforce']);
  });

  it('fails integrity for an unknown critical attribute (no plugin support)', async () => {
    const pki = await chainOf();
    const envelope = signNotation({
      target: TARGET,
      mediaType: MEDIA_TYPE_JWS,
      key: pki.leaf.key,
      chain: pki.chain,
      signingTime: SIGNED_AT,
      extendedAttributes: [
        { key: 'io.cncf.notary.verificationPlugin', value: 'com.example.plugin', critical: true },
      ],
    });
    const v = await verifyNotationSignature(
      { envelope, mediaType: MEDIA_TYPE_JWS, artifactReference: REF, artifactDigest: DIGEST },
      {
        policy: policy({}, { level: 'audit' }),
        trustStores: buildTrustStores(store('ca', 'test', pki.root.der)),
      },
      NOW,
    );
    assert.deepEqual(failed(v), ['integrity:enforce']);
    assert.match(v.results[0]?.failure ?? '', /verificationPlugin/);
  });

  it('fails integrity when alg names another algorithm than the key', async () => {
    const { envelope, stores } = await fixture('p256');
    const env = JSON.parse(Buffer.from(envelope).toString());
    const h = JSON.parse(Buffer.from(env.protected, 'base64url').toString());
    h.alg = 'ES384';
    env.protected = Buffer.from(JSON.stringify(h)).toString('base64url');
    const v = await verifyNotationSignature(
      {
        envelope: Buffer.from(JSON.stringify(env)),
        mediaType: MEDIA_TYPE_JWS,
        artifactReference: REF,
        artifactDigest: DIGEST,
      },
      { policy: policy(), trustStores: stores },
      NOW,
    );
    assert.deepEqual(failed(v), ['integrity:enforce']);
    assert.match(v.results[0]?.failure ?? '', /not the algorithm of the signing certificate/);
  });

  it('skips verification under level skip without reading the envelope', async () => {
    const v = await verifyNotationSignature(
      {
        envelope: new Uint8Array([1, 2, 3]),
        mediaType: 'application/unsupported',
        artifactReference: REF,
        artifactDigest: DIGEST,
      },
      {
        policy: policy({ trustStores: [], trustedIdentities: [] }, { level: 'skip' }),
        trustStores: buildTrustStores([]),
      },
      NOW,
    );
    assert.deepEqual(
      { verified: v.verified, skipped: v.skipped, results: v.results },
      { verified: true, skipped: true, results: [] },
    );
  });

  it('throws coded errors for unreadable input', async () => {
    const { envelope, stores } = await fixture();
    const trust = { policy: policy(), trustStores: stores };
    const base = {
      envelope,
      mediaType: MEDIA_TYPE_JWS,
      artifactReference: REF,
      artifactDigest: DIGEST,
    };
    await expectCustodyErrorAsync(
      () =>
        verifyNotationSignature({ ...base, mediaType: 'application/unsupported+json' }, trust, NOW),
      NotationError,
      'SIGN_NOTATION_MEDIA_TYPE_UNSUPPORTED',
    );
    await expectCustodyErrorAsync(
      () =>
        verifyNotationSignature({ ...base, envelope: Buffer.from('{"payload":1}') }, trust, NOW),
      NotationError,
      'SIGN_NOTATION_ENVELOPE_MALFORMED',
    );
    await expectCustodyErrorAsync(
      () =>
        verifyNotationSignature(
          { ...base, artifactReference: `other.example/x@${DIGEST}` },
          trust,
          NOW,
        ),
      NotationError,
      'SIGN_NOTATION_POLICY_NOT_FOUND',
    );
    await expectCustodyErrorAsync(
      () => verifyNotationSignature({ ...base, artifactDigest: OTHER }, trust, NOW),
      NotationError,
      'SIGN_NOTATION_REFERENCE_INVALID',
    );
    await expectCustodyErrorAsync(
      () =>
        verifyNotationSignature({ ...base, envelope: new Uint8Array(5 * 1024 * 1024) }, trust, NOW),
      NotationError,
      'SIGN_NOTATION_ENVELOPE_TOO_LARGE',
    );
  });

  it('refuses keys the specification does not list', async () => {
    const pki = await chainOf('rsa1024');
    expectCustodyError(
      () =>
        signNotation({
          target: TARGET,
          mediaType: MEDIA_TYPE_JWS,
          key: pki.leaf.key,
          chain: pki.chain,
          signingTime: SIGNED_AT,
        }),
      NotationError,
      'SIGN_NOTATION_ALGORITHM_UNSUPPORTED',
    );
  });
});
