import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decode, Tag } from 'cbor2';
import { readNotationTrustStore } from '../../../src/fs/notation-files.js';
import {
  assembleCose,
  buildTrustStores,
  coseProtectedHeader,
  MEDIA_TYPE_COSE,
  MEDIA_TYPE_JWS,
  NotationError,
  parseCertificate,
  parseCoseEnvelope,
  parseEnvelope,
  parseJwsEnvelope,
  parseTrustPolicy,
  parseTrustStoreFile,
  type RevocationChecker,
  selectTrustPolicy,
  signCose,
  signJws,
  type TrustStoreFile,
  trustedIdentityFailure,
  verifyNotationSignature,
  verifyTimestampToken,
} from '../../../src/sign/notation/index.js';
import { conformancePath, readConformance } from '../../helpers/conformance.js';
import { expectCustodyError } from '../../helpers/expect-error.js';
import { issue } from './pki.js';

/**
 * The Notary Project's own test data, read in place from ../shared/conformance/notation:
 * notation-core-go's envelope conformance vectors, notation-go's real envelopes (with and without
 * RFC 3161 countersignatures), its trust stores and signed OCI layout. Each case names the
 * upstream test it mirrors and the outcome that test expects.
 */
const N = (...p: string[]) => conformancePath('notation', ...p);
const VT = (...p: string[]) => N('go', 'verifier', 'testdata', ...p);

describe('notation-core-go signature/jws/conformance_test.go', () => {
  const vector = JSON.parse(
    readFileSync(N('core-go', 'signature', 'jws', 'testdata', 'conformance.json'), 'utf8'),
  );
  const request = async () => {
    const leaf = await issue({
      subject: 'C=US, ST=WA, L=Seattle, O=Notary, CN=Notation Test Leaf',
      kind: 'p256',
    });
    return {
      payload: new Uint8Array(Buffer.from('{"key":"hello JWS"}')),
      contentType: 'application/vnd.cncf.notary.payload.v1+json',
      signingScheme: 'notary.x509' as const,
      signingTime: new Date('2022-08-29T13:50:00Z'),
      expiry: new Date('2099-08-30T13:50:00Z'),
      extendedAttributes: [
        { key: 'signedCritKey1', value: 'signedCritValue1', critical: true },
        { key: 'signedKey1', value: 'signedValue1', critical: false },
        { key: 'signedKey2', value: 'signedValue1', critical: false },
        { key: 'signedKey3', value: 'signedValue1', critical: false },
        { key: 'signedKey4', value: 'signedValue1', critical: false },
      ],
      signingAgent: 'NotationConformanceTest/1.0.0',
      key: leaf.key,
      alg: 'ES256' as const,
      chain: [leaf.der],
    };
  };

  it('TestSignedMessageConformance (expects: payload, protected and signingAgent equal the vector)', async () => {
    const env = JSON.parse(Buffer.from(signJws(await request())).toString());
    assert.equal(env.payload, vector.payload);
    assert.equal(env.protected, vector.protected);
    assert.equal(
      env.header['io.cncf.notary.signingAgent'],
      vector.header['io.cncf.notary.signingAgent'],
    );
  });

  it('TestVerifyConformance (expects: the signed envelope verifies and reads back every attribute)', async () => {
    const r = await request();
    const env = parseJwsEnvelope(signJws(r));
    assert.deepEqual(Buffer.from(env.payload), Buffer.from(r.payload));
    assert.equal(env.signingScheme, 'notary.x509');
    assert.deepEqual(env.signingTime, r.signingTime);
    assert.deepEqual(env.expiry, r.expiry);
    assert.equal(env.signingAgent, r.signingAgent);
    assert.deepEqual(
      [...env.extendedAttributes].sort((a, b) => String(a.key).localeCompare(String(b.key))),
      r.extendedAttributes,
    );
    assert.equal(env.alg, 'ES256');
    assert.deepEqual(env.certificateChain, r.chain);
  });

  it("the vector itself reads as a JWS envelope once given a chain (its signature is a throwaway key's)", () => {
    const noChain = Buffer.from(JSON.stringify(vector));
    expectCustodyError(
      () => parseJwsEnvelope(noChain),
      NotationError,
      'SIGN_NOTATION_ENVELOPE_MALFORMED',
    );
    const cert = readFileSync(VT('verifier', 'signing-cert.pem'), 'utf8').replace(
      /-----[^-]+-----|\s/g,
      '',
    );
    const env = parseJwsEnvelope(
      Buffer.from(JSON.stringify({ ...vector, header: { ...vector.header, x5c: [cert] } })),
    );
    assert.equal(env.signingScheme, 'notary.x509');
    assert.deepEqual(env.expiry, new Date('2099-08-30T13:50:00Z'));
    assert.deepEqual(
      env.extendedAttributes.find((a) => a.key === 'signedCritKey1'),
      { key: 'signedCritKey1', value: 'signedCritValue1', critical: true },
    );
  });
});

describe('notation-core-go signature/cose/conformance_test.go TestConformance', () => {
  const vector = JSON.parse(
    readFileSync(N('core-go', 'signature', 'cose', 'testdata', 'conformance.json'), 'utf8'),
  );
  const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
  const attrs = {
    alg: 'PS384' as const,
    contentType: 'application/vnd.cncf.notary.payload.v1+json',
    signingScheme: 'notary.x509' as const,
    signingTime: new Date(vector.signingTime * 1000),
    expiry: new Date(vector.expiry * 1000),
    extendedAttributes: [
      { key: 'signedCritKey1', value: 'signedCritValue1', critical: true },
      { key: 'signedKey1', value: 'signedValue1', critical: false },
    ],
  };

  it('testSign (expects: the protected header and the COSE_Sign1_Tagged bytes equal the vector)', () => {
    const protectedBytes = coseProtectedHeader(attrs);
    assert.equal(
      Buffer.from(protectedBytes).toString('hex').toUpperCase(),
      vector.protectedHeaders.cborHex,
    );
    const expected = hex(vector.expectedOutput.cborHex);
    const signature = (decode(expected) as Tag).contents as Uint8Array[];
    const out = assembleCose(
      protectedBytes,
      hex(vector.payload),
      signature[3] as Uint8Array,
      [],
      'NotationConformanceTest/1.0.0',
    );
    assert.equal(Buffer.from(out).toString('hex').toUpperCase(), vector.expectedOutput.cborHex);
  });

  it('testVerify (expects: the vector with a chain and a real signature verifies and reads back)', async () => {
    const root = await issue({
      subject: 'C=US, ST=WA, O=Notary, CN=Notation Test RSA Root',
      ca: true,
      kind: 'rsa3072',
    });
    const leaf = await issue({
      subject: 'C=US, ST=WA, O=Notary, CN=Notation Test RSA Leaf',
      issuer: root,
      kind: 'rsa3072',
    });
    const payload = hex(vector.payload);
    const ours = parseCoseEnvelope(
      signCose({
        ...attrs,
        payload,
        key: leaf.key,
        chain: [leaf.der, root.der],
        signingAgent: 'NotationConformanceTest/1.0.0',
      }),
    );
    const [p, u, pl] = (decode(hex(vector.expectedOutput.cborHex), { preferMap: true }) as Tag)
      .contents as [Uint8Array, Map<unknown, unknown>, Uint8Array];
    u.set(33, [leaf.der, root.der]);
    const { encode } = await import('cbor2');
    const env = parseCoseEnvelope(encode(new Tag(18, [p, u, pl, ours.signature])));
    assert.deepEqual(Buffer.from(env.signedBytes), Buffer.from(ours.signedBytes));
    const { verifyWith } = await import('../../../src/sign/notation/algorithm.js');
    assert.ok(
      verifyWith(
        env.alg,
        parseCertificate(leaf.der, 'SIGN_NOTATION_ENVELOPE_MALFORMED').node.publicKey,
        env.signedBytes,
        env.signature,
      ),
    );
    assert.equal(env.contentType, attrs.contentType);
    assert.deepEqual(Buffer.from(env.payload), Buffer.from(payload));
    assert.equal(env.signingAgent, 'NotationConformanceTest/1.0.0');
    assert.deepEqual(env.signingTime, attrs.signingTime);
    assert.deepEqual(env.expiry, attrs.expiry);
    // Upstream compares the attributes sorted (areAttrEqual).
    const byKey = (a: { key: string | number }, b: { key: string | number }) =>
      String(a.key).localeCompare(String(b.key));
    assert.deepEqual(
      [...env.extendedAttributes].sort(byKey),
      [...attrs.extendedAttributes].sort(byKey),
    );
  });
});

// notation-go verifier/timestamp_test.go TestAuthenticTimestamp: its 17 subtests.
describe('notation-go verifier/timestamp_test.go TestAuthenticTimestamp', () => {
  const store = readNotationTrustStore(VT('truststore'), '/');
  const digest = 'sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda';
  const ref = `localhost:5000/net-monitor@${digest}`;
  const env = (f: string) => readFileSync(VT('timestamp', 'sigEnv', f));
  const token = (f: string) => new Uint8Array(readFileSync(VT('timestamp', 'countersignature', f)));
  // The upstream test calls verifyAuthenticTimestamp alone; here the whole verifier runs, so the
  // envelopes whose self-signed certificates are not in valid-trust-store are pinned in a store
  // of their own to get past authenticity. The GlobalSign TSA chain names OCSP/CRL endpoints
  // that upstream queries live; no network here, so the checker answers "ok".
  const revocation = () => 'ok' as const;
  const pinned = (bytes: Uint8Array, mediaType: string): TrustStoreFile[] => [
    {
      type: 'ca',
      store: 'pinned',
      file: 'leaf.crt',
      bytes: parseEnvelope(mediaType, bytes).certificateChain[0] as Uint8Array,
    },
  ];
  async function run(
    file: string,
    mediaType: string,
    trustStores: string[],
    verifyTimestamp = 'always',
    extraStores: { type: 'tsa'; store: string }[] = [],
    check: RevocationChecker | null = revocation,
    override?: Record<string, string>,
  ) {
    const bytes = env(file);
    const policy = parseTrustPolicy(
      JSON.stringify({
        version: '1.0',
        trustPolicies: [
          {
            name: 'test-timestamp',
            registryScopes: ['*'],
            signatureVerification: {
              level: 'strict',
              verifyTimestamp,
              ...(override ? { override } : {}),
            },
            trustStores: [...trustStores, 'ca:pinned'],
            trustedIdentities: ['*'],
          },
        ],
      }),
    );
    const stores = buildTrustStores(
      [...store.files, ...pinned(bytes, mediaType)],
      [...store.stores, ...extraStores],
    );
    return verifyNotationSignature(
      { envelope: bytes, mediaType, artifactReference: ref, artifactDigest: digest },
      { policy, trustStores: stores, ...(check ? { revocation: check } : {}) },
      new Date('2026-12-03T12:00:00Z'),
    );
  }
  const ts = (v: Awaited<ReturnType<typeof run>>) =>
    v.results.find((r) => r.validation === 'authenticTimestamp');
  const CASES: [
    name: string,
    file: string,
    mediaType: string,
    stores: string[],
    verifyTimestamp: string,
    expect: 'ok' | RegExp,
  ][] = [
    [
      'verify Authentic Timestamp with jws format',
      'jwsWithTimestamp.sig',
      MEDIA_TYPE_JWS,
      ['ca:valid-trust-store', 'tsa:test-timestamp'],
      'always',
      'ok',
    ],
    [
      'verify Authentic Timestamp with cose format',
      'coseWithTimestamp.sig',
      MEDIA_TYPE_COSE,
      ['ca:valid-trust-store', 'tsa:test-timestamp'],
      'always',
      'ok',
    ],
    [
      'verify Authentic Timestamp jws with expired codeSigning cert',
      'jwsExpiredWithTimestamp.sig',
      MEDIA_TYPE_JWS,
      ['ca:valid-trust-store', 'tsa:test-timestamp'],
      'always',
      'ok',
    ],
    [
      'verify Authentic Timestamp cose with expired codeSigning cert',
      'coseExpiredWithTimestamp.sig',
      MEDIA_TYPE_COSE,
      ['ca:valid-trust-store', 'tsa:test-timestamp'],
      'always',
      'ok',
    ],
    [
      'verify Authentic Timestamp with afterCertExpiry set',
      'coseWithTimestamp.sig',
      MEDIA_TYPE_COSE,
      ['ca:valid-trust-store', 'tsa:test-timestamp'],
      'afterCertExpiry',
      'ok',
    ],
    [
      'verify Authentic Timestamp failed due to missing tsa in trust policy and expired codeSigning cert',
      'coseExpiredWithTimestamp.sig',
      MEDIA_TYPE_COSE,
      ['ca:valid-trust-store'],
      'always',
      /verification time is after certificate "CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US" validity period, it was expired at 2024-06-18T07:30:31/,
    ],
    [
      'verify Authentic Timestamp failed due to missing timestamp countersignature',
      'withoutTimestamp.sig',
      MEDIA_TYPE_JWS,
      ['ca:valid-trust-store', 'tsa:test-timestamp'],
      'always',
      /no timestamp countersignature was found in the signature envelope/,
    ],
    [
      'verify Authentic Timestamp failed due to trust store does not exist',
      'coseWithTimestamp.sig',
      MEDIA_TYPE_COSE,
      ['ca:valid-trust-store', 'tsa:does-not-exist'],
      'always',
      /the trust store "does-not-exist" of type "tsa" does not exist/,
    ],
    [
      'verify Authentic Timestamp failed due to tsa not trust',
      'coseWithTimestamp.sig',
      MEDIA_TYPE_COSE,
      ['ca:valid-trust-store', 'tsa:test-mismatch'],
      'always',
      /certificate signed by unknown authority/,
    ],
    [
      'verify Authentic Timestamp failed due to timestamp before signing cert not before',
      'timestampBeforeNotBefore.sig',
      MEDIA_TYPE_JWS,
      ['ca:valid-trust-store', 'tsa:test-timestamp'],
      'always',
      /timestamp can be before certificate "CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US" validity period, it will be valid from 2099-09-18T11:54:34/,
    ],
    [
      'verify Authentic Timestamp failed due to timestamp after signing cert not after',
      'timestampAfterNotAfter.sig',
      MEDIA_TYPE_COSE,
      ['ca:valid-trust-store', 'tsa:test-timestamp'],
      'always',
      /timestamp can be after certificate "CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US" validity period, it was expired at 2001-09-18T11:54:34/,
    ],
  ];
  for (const [name, file, mediaType, stores, vt, expect] of CASES)
    it(`${name} (expects: ${expect === 'ok' ? 'no error' : expect.source.slice(0, 60)})`, async () => {
      const v = await run(file, mediaType, stores, vt);
      const r = ts(v);
      assert.ok(r, JSON.stringify(v.results));
      if (expect === 'ok') {
        assert.equal(r.ok, true, r.failure);
        assert.equal(v.verified, true);
      } else {
        assert.equal(r.ok, false);
        assert.match(r.failure ?? '', expect);
        assert.equal(r.action, 'enforce');
        assert.equal(v.verified, false);
      }
    });

  // Beyond the upstream subtests: verifyTimestamp and the TSA chain's revocation.
  it('afterCertExpiry verifies the timestamp of an expired chain, and skips it for a valid one', async () => {
    const expired = await run(
      'coseExpiredWithTimestamp.sig',
      MEDIA_TYPE_COSE,
      ['ca:valid-trust-store', 'tsa:test-timestamp'],
      'afterCertExpiry',
    );
    assert.equal(expired.verified, true);
    assert.ok(expired.timestamp, 'the timestamp was verified');
    const valid = await run(
      'jwsWithTimestamp.sig',
      MEDIA_TYPE_JWS,
      ['ca:valid-trust-store', 'tsa:test-timestamp'],
      'afterCertExpiry',
    );
    assert.equal(valid.verified, true);
    assert.equal(valid.timestamp, undefined, 'no timestamp verification while the chain is valid');
  });

  it("the TSA chain's revocation status is part of the authentic timestamp check", async () => {
    const revoked = await run(
      'jwsWithTimestamp.sig',
      MEDIA_TYPE_JWS,
      ['ca:valid-trust-store', 'tsa:test-timestamp'],
      'always',
      [],
      (_c, purpose) => (purpose === 'timestamping' ? 'revoked' : 'ok'),
    );
    assert.match(ts(revoked)?.failure ?? '', /timestamping certificate chain is revoked/);
    // Without a checker, GlobalSign's TSA certificates (which name OCSP and CRL endpoints) have an unknown status.
    const offline = await run(
      'jwsWithTimestamp.sig',
      MEDIA_TYPE_JWS,
      ['ca:valid-trust-store', 'tsa:test-timestamp'],
      'always',
      [],
      null,
    );
    assert.match(
      ts(offline)?.failure ?? '',
      /names OCSP or CRL endpoints and no revocation checker was given/,
    );
    // A policy that skips revocation skips it for the TSA chain too (Certificate Revocation Evaluation).
    const skipped = await run(
      'jwsWithTimestamp.sig',
      MEDIA_TYPE_JWS,
      ['ca:valid-trust-store', 'tsa:test-timestamp'],
      'always',
      [],
      null,
      { revocation: 'skip' },
    );
    assert.equal(skipped.verified, true, JSON.stringify(skipped.results));
    assert.ok(skipped.timestamp);
  });

  it('verify Authentic Timestamp failed due to empty trust store (expects: no trusted TSA certificate)', async () => {
    const v = await run(
      'coseWithTimestamp.sig',
      MEDIA_TYPE_COSE,
      ['ca:valid-trust-store', 'tsa:test-empty'],
      'always',
      [{ type: 'tsa', store: 'test-empty' }],
    );
    assert.match(
      ts(v)?.failure ?? '',
      /no x509 certificates were found in trust store "tsa:test-empty"/,
    );
  });

  it('verify Authentic Timestamp failed due to invalid trust policy (expects: "tsa" missing separator)', () => {
    const e = expectCustodyError(
      () =>
        parseTrustPolicy(
          JSON.stringify({
            version: '1.0',
            trustPolicies: [
              {
                name: 'test-timestamp',
                registryScopes: ['*'],
                signatureVerification: { level: 'strict' },
                trustStores: ['ca:valid-trust-store', 'tsa'],
                trustedIdentities: ['*'],
              },
            ],
          }),
        ),
      NotationError,
      'SIGN_NOTATION_POLICY_INVALID',
    );
    assert.match(e.message, /trust store "tsa" is not <type>:<name>/);
  });

  // The token-level subtests replace the envelope's signature with a fixed one; verifyTimestampToken is their unit.
  const tsaRoots = buildTrustStores(store.files).get('tsa:test-timestamp');
  const roots = tsaRoots && 'certificates' in tsaRoots ? tsaRoots.certificates : [];
  it('verify Authentic Timestamp failed due to invalid timestamp countersignature content type (expects: unexpected content type 1.2.840.113549.1.7.1)', () => {
    assert.match(
      String(
        verifyTimestampToken(
          token('TimeStampTokenWithInvalideContentType.p7s'),
          new Uint8Array(),
          roots,
        ),
      ),
      /unexpected content type 1\.2\.840\.113549\.1\.7\.1/,
    );
  });
  it('verify Authentic Timestamp failed due to invalid TSTInfo (expects: cannot unmarshal TSTInfo)', () => {
    assert.match(
      String(
        verifyTimestampToken(
          token('TimeStampTokenWithInvalidTSTInfo.p7s'),
          new Uint8Array(),
          roots,
        ),
      ),
      /TSTInfo is malformed/,
    );
  });
  it('verify Authentic Timestamp failed due to failed to validate TSTInfo (expects: mismatched message)', () => {
    assert.match(
      String(verifyTimestampToken(token('TimeStampToken.p7s'), Buffer.from('mismatch'), roots)),
      /invalid TSTInfo: mismatched message/,
    );
  });
  it('verify Authentic Timestamp failed due to failed to verify timestamp countersignature (expects: signing certificate not found)', () => {
    assert.match(
      String(
        verifyTimestampToken(
          token('TimeStampTokenWithoutCertificate.p7s'),
          Buffer.from('notation'),
          roots,
        ),
      ),
      /signing certificate not found in the timestamp token/,
    );
  });
  it('TimeStampToken.p7s over "notation" verifies against the GlobalSign R6 root', () => {
    const v = verifyTimestampToken(token('TimeStampToken.p7s'), Buffer.from('notation'), roots);
    assert.ok(typeof v !== 'string', String(v));
    assert.ok(v.lower <= v.genTime && v.genTime <= v.upper);
  });
});

// notation-go verifier/truststore/truststore_test.go, through Custody's file adapter.
describe('notation-go verifier/truststore/truststore_test.go', () => {
  const read = readNotationTrustStore(VT('truststore'), '/');
  const stores = buildTrustStores(read.files, read.stores);
  const entry = (k: string) => stores.get(k);
  const cases: [test: string, key: string, expect: number | RegExp][] = [
    ['TestLoadValidTrustStore', 'ca:valid-trust-store', 6],
    [
      'TestLoadValidTrustStoreWithSelfSignedSigningCertificate',
      'ca:valid-trust-store-self-signed',
      1,
    ],
    [
      'TestLoadTrustStoreWithInvalidCerts',
      'ca:trust-store-with-invalid-certs',
      /invalid.*not a PEM or DER/,
    ],
    [
      'TestLoadTrustStoreWithLeafCerts',
      'ca:trust-store-with-leaf-certs',
      /non-ca\.crt.*neither a CA nor a self-signed/,
    ],
    [
      'TestLoadTrustStoreWithLeafCertsInSingleFile',
      'ca:trust-store-with-leaf-certs-in-single-file',
      /RootAndLeafCerts\.crt.*neither a CA nor a self-signed/,
    ],
    ['TestGetCertFromValidTsaTrustStore', 'tsa:test-timestamp', 1],
    [
      'TestGetCertFromInvalidTsaTrustStore/non CA certificate',
      'tsa:test-nonCA',
      /wabbit-networks\.io\.crt.*not a root CA/,
    ],
    [
      'TestGetCertFromInvalidTsaTrustStore/not self-issued',
      'tsa:test-nonSelfIssued',
      /nonSelfIssued\.crt.*not a root CA/,
    ],
  ];
  for (const [test, key, expect] of cases)
    it(`${test} (expects: ${typeof expect === 'number' ? `${expect} certificate(s)` : 'an error'})`, () => {
      const e = entry(key);
      assert.ok(e, key);
      if (typeof expect === 'number') {
        assert.ok('certificates' in e, 'problem' in e ? e.problem : '');
        assert.equal(e.certificates.length, expect);
      } else {
        assert.ok('problem' in e);
        assert.match(e.problem, expect);
      }
    });
  it('TestValidateCerts / TestValidateCertsWithLeafCert (expects: GlobalSign.der ok, non-ca.crt refused)', () => {
    assert.equal(
      parseTrustStoreFile({
        type: 'ca',
        store: 's',
        file: 'GlobalSign.der',
        bytes: readFileSync(VT('truststore', 'x509', 'ca', 'valid-trust-store', 'GlobalSign.der')),
      }).length,
      1,
    );
    expectCustodyError(
      () =>
        parseTrustStoreFile({
          type: 'ca',
          store: 's',
          file: 'non-ca.crt',
          bytes: readFileSync(
            VT('truststore', 'x509', 'ca', 'trust-store-with-leaf-certs', 'non-ca.crt'),
          ),
        }),
      NotationError,
      'SIGN_NOTATION_TRUST_STORE_INVALID',
    );
  });
  it('symlinked stores and certificate files are refused (the shared copy flattened its symlinks: made here)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'notation-ts-'));
    try {
      mkdirSync(join(dir, 'x509', 'ca', 'real'), { recursive: true });
      mkdirSync(join(dir, 'x509', 'ca', 'real', 'sub-dir'));
      writeFileSync(
        join(dir, 'x509', 'ca', 'real', 'root.crt'),
        readFileSync(VT('truststore', 'x509', 'ca', 'valid-trust-store', 'GlobalSignRootCA.crt')),
      );
      symlinkSync(join(dir, 'x509', 'ca', 'real'), join(dir, 'x509', 'ca', 'linked'));
      mkdirSync(join(dir, 'x509', 'ca', 'filelink'));
      symlinkSync(
        join(dir, 'x509', 'ca', 'real', 'root.crt'),
        join(dir, 'x509', 'ca', 'filelink', 'root.crt'),
      );
      const r = readNotationTrustStore(dir, '/');
      const s = buildTrustStores(r.files, r.stores);
      assert.deepEqual(r.warnings, ['ca/real/sub-dir is a directory and is ignored']);
      assert.match((s.get('ca:linked') as { problem: string }).problem, /symlink/);
      assert.match((s.get('ca:filelink') as { problem: string }).problem, /symlink/);
      assert.equal((s.get('ca:real') as { certificates: unknown[] }).certificates.length, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// notation-go verifier/verifier_test.go TestVerifyX509TrustedIdentities: its 10 cases.
describe('notation-go verifier/verifier_test.go TestVerifyX509TrustedIdentities', () => {
  const cert = parseCertificate(
    new Uint8Array(
      Buffer.from(
        readFileSync(VT('verifier', 'signing-cert.pem'), 'utf8').replace(/-----[^-]+-----|\s/g, ''),
        'base64',
      ),
    ),
    'SIGN_NOTATION_ENVELOPE_MALFORMED',
  );
  const bad = parseCertificate(
    new Uint8Array(
      Buffer.from(
        readFileSync(VT('verifier', 'bad-cert.pem'), 'utf8').replace(/-----[^-]+-----|\s/g, ''),
        'base64',
      ),
    ),
    'SIGN_NOTATION_ENVELOPE_MALFORMED',
  );
  const cases: [certs: 'good' | 'bad', ids: string[], wantErr: boolean][] = [
    ['good', ['x509.subject:C=US,O=SomeOrg,ST=WA'], false],
    ['good', ['x509.subject:C=US,O=SomeOrg,ST=WA', 'nonX509Prefix:my-custom-identity'], false],
    ['good', ['x509.subject:C=US,O=SomeOrg,ST=WA', 'x509.subject:C=IND,O=SomeOrg,ST=TS'], false],
    ['good', ['nonX509Prefix:my-custom-identity'], true],
    ['good', ['*'], false],
    ['good', ['x509.subject:C=IND,O=SomeOrg,ST=TS'], true],
    ['good', ['x509.subject:C=IND,O=SomeOrg,ST=TS', 'nonX509Prefix:my-custom-identity'], true],
    ['good', ['x509.subject:C=IND,O=SomeOrg,ST=TS', 'x509.subject:C=LOL,O=LOL,ST=LOL'], true],
    ['good', ['x509.subject:C=bad=#identity,O=LOL,ST=LOL'], true],
    ['bad', ['x509.subject:C=US,O=SomeOrg,ST=WA', 'nonX509Prefix:my-custom-identity'], true],
  ];
  for (const [i, [which, ids, wantErr]] of cases.entries())
    it(`case ${i}: ${JSON.stringify(ids)} on ${which === 'good' ? 'signing-cert.pem' : 'bad-cert.pem'} (expects: ${wantErr ? 'error' : 'match'})`, () => {
      let failure: string | undefined;
      try {
        const doc = parseTrustPolicy(
          JSON.stringify({
            version: '1.0',
            trustPolicies: [
              {
                name: 'test-statement-name',
                registryScopes: ['registry.acme-rockets.io/software/net-monitor'],
                signatureVerification: { level: 'strict' },
                trustStores: ['ca:test-store'],
                trustedIdentities: ids,
              },
            ],
          }),
        );
        failure = trustedIdentityFailure(
          selectTrustPolicy(
            doc,
            `registry.acme-rockets.io/software/net-monitor@sha256:${'0'.repeat(64)}`,
          ),
          which === 'good' ? cert : bad,
        );
      } catch (e) {
        // An identity the policy cannot hold ("=#") is refused when the policy is read.
        assert.ok(
          e instanceof NotationError && e.code === 'SIGN_NOTATION_POLICY_INVALID',
          String(e),
        );
        failure = e.message;
      }
      assert.equal(failure !== undefined, wantErr, failure);
    });
});

// notation-go's signed OCI layout (internal/testdata/oci-layout) and the two real envelopes that
// sign its manifest (notation_test.go TestLocalContent uses cose_signature.sig;
// registry/repository_test.go uses jws_signature.sig and records its chain's thumbprint).
describe('notation-go internal/testdata: the OCI layout verifies end to end', () => {
  const layout = N('go', 'internal', 'testdata', 'oci-layout');
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
  const manifest = index.manifests[0];
  const blob = readFileSync(
    join(layout, 'blobs', 'sha256', manifest.digest.slice('sha256:'.length)),
  );
  const dir = mkdtempSync(join(tmpdir(), 'notation-layout-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const policy = parseTrustPolicy(
    JSON.stringify({
      version: '1.0',
      trustPolicies: [
        {
          name: 'layout',
          registryScopes: ['local/oci-layout'],
          signatureVerification: { level: 'strict' },
          trustStores: ['ca:alpine'],
          trustedIdentities: ['x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=alpine'],
        },
      ],
    }),
  );

  it('the manifest blob is the one index.json names', () => {
    assert.equal(`sha256:${createHash('sha256').update(blob).digest('hex')}`, manifest.digest);
    assert.equal(blob.byteLength, manifest.size);
  });

  for (const [file, mediaType] of [
    ['jws_signature.sig', MEDIA_TYPE_JWS],
    ['cose_signature.sig', MEDIA_TYPE_COSE],
  ] as const)
    it(`${file} verifies for local/oci-layout@${manifest.digest.slice(0, 15)}… (expects: verified)`, async () => {
      const envelope = readConformance('notation', 'go', 'internal', 'testdata', file);
      const leaf = parseEnvelope(mediaType, envelope).certificateChain[0] as Uint8Array;
      // The self-signed signer is trusted by pinning it in a store written the way notation lays one out.
      mkdirSync(join(dir, 'x509', 'ca', 'alpine'), { recursive: true });
      writeFileSync(
        join(dir, 'x509', 'ca', 'alpine', 'alpine.crt'),
        `-----BEGIN CERTIFICATE-----\n${Buffer.from(leaf).toString('base64')}\n-----END CERTIFICATE-----\n`,
      );
      const read = readNotationTrustStore(dir, '/');
      const v = await verifyNotationSignature(
        {
          envelope,
          mediaType,
          artifactReference: `local/oci-layout@${manifest.digest}`,
          artifactDigest: manifest.digest,
          artifactMediaType: manifest.mediaType,
          artifactSize: manifest.size,
        },
        { policy, trustStores: buildTrustStores(read.files, read.stores) },
        new Date('2026-12-03T12:00:00Z'),
      );
      assert.equal(v.verified, true, JSON.stringify(v.results));
      assert.equal(v.signer, 'CN=alpine,O=Notary,L=Seattle,ST=WA,C=US');
      assert.equal(v.targetArtifact?.digest, manifest.digest);
      if (file === 'jws_signature.sig')
        assert.deepEqual(v.chainThumbprints, [
          '9f5f5aecee24b5cfdc7a91f6d5ac5c3a5348feb17c934d403f59ac251549ea0d',
        ]);
      // Another digest, or the layer's digest, is refused by integrity.
      const wrong = await verifyNotationSignature(
        {
          envelope,
          mediaType,
          artifactReference: `local/oci-layout@sha256:${'1'.repeat(64)}`,
          artifactDigest: `sha256:${'1'.repeat(64)}`,
        },
        { policy, trustStores: buildTrustStores(read.files, read.stores) },
        new Date('2026-12-03T12:00:00Z'),
      );
      assert.deepEqual(
        wrong.results.filter((r) => !r.ok).map((r) => r.validation),
        ['integrity'],
      );
      // Without the pinned store, authenticity fails.
      const untrusted = await verifyNotationSignature(
        {
          envelope,
          mediaType,
          artifactReference: `local/oci-layout@${manifest.digest}`,
          artifactDigest: manifest.digest,
        },
        {
          policy,
          trustStores: buildTrustStores(readNotationTrustStore(VT('truststore'), '/').files),
        },
        new Date('2026-12-03T12:00:00Z'),
      );
      assert.deepEqual(
        untrusted.results.filter((r) => !r.ok).map((r) => r.validation),
        ['authenticity'],
      );
    });

  it('every real envelope in the shared folder parses (expects: 9 envelopes)', () => {
    const files: [string, string][] = [
      [N('go', 'internal', 'testdata', 'jws_signature.sig'), MEDIA_TYPE_JWS],
      [N('go', 'internal', 'testdata', 'cose_signature.sig'), MEDIA_TYPE_COSE],
      ...([
        'coseExpiredWithTimestamp.sig',
        'coseWithTimestamp.sig',
        'timestampAfterNotAfter.sig',
      ].map((f) => [VT('timestamp', 'sigEnv', f), MEDIA_TYPE_COSE]) as [string, string][]),
      ...([
        'jwsExpiredWithTimestamp.sig',
        'jwsWithTimestamp.sig',
        'timestampBeforeNotBefore.sig',
        'withoutTimestamp.sig',
      ].map((f) => [VT('timestamp', 'sigEnv', f), MEDIA_TYPE_JWS]) as [string, string][]),
    ];
    for (const [f, mt] of files)
      assert.equal(parseEnvelope(mt, readFileSync(f)).signingScheme, 'notary.x509', f);
    assert.equal(files.length, 9);
  });
});
