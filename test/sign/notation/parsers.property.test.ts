import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { encode, Tag } from 'cbor2';
import fc from 'fast-check';
import {
  buildTrustStores,
  MEDIA_TYPE_COSE,
  MEDIA_TYPE_JWS,
  NOTATION_LIMITS,
  NotationError,
  parseCoseEnvelope,
  parseDn,
  parseJwsEnvelope,
  parseNotationPayload,
  parseNotationSignatureManifest,
  parseTrustPolicy,
  parseTrustStoreFile,
  verifyNotationSignature,
  verifyTimestampToken,
} from '../../../src/sign/notation/index.js';
import { conformancePath } from '../../helpers/conformance.js';
import { expectCustodyError } from '../../helpers/expect-error.js';

/** Untrusted input parses, or fails with a NotationError: never a TypeError or a RangeError. */
function onlyCoded(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    assert.ok(
      e instanceof NotationError,
      `${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`,
    );
  }
}

const real = (...p: string[]) =>
  new Uint8Array(readFileSync(conformancePath('notation', 'go', ...p)));
const JWS = real('verifier', 'testdata', 'timestamp', 'sigEnv', 'jwsWithTimestamp.sig');
const COSE = real('verifier', 'testdata', 'timestamp', 'sigEnv', 'coseWithTimestamp.sig');

/** A real envelope with bytes overwritten, cut or appended. */
const mutated = (seed: Uint8Array) =>
  fc
    .tuple(
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.nat(),
      fc.uint8Array({ maxLength: 16 }),
    )
    .map(([flips, cut, tail]) => {
      const b = new Uint8Array(seed);
      for (const [i, v] of flips) b[i % b.length] = v;
      return new Uint8Array([...b.slice(0, seed.length - (cut % 64)), ...tail]);
    });

// A JSON value of bounded depth where the JWS envelope expects objects, strings and arrays.
const jsonish = fc.jsonValue({ maxDepth: 3 });

describe('notation parsers on garbage', () => {
  it('parseJwsEnvelope: arbitrary bytes, JSON values, and mutated real envelopes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (b) => onlyCoded(() => parseJwsEnvelope(b))),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(jsonish, jsonish, jsonish, jsonish, (payload, prot, header, signature) =>
        onlyCoded(() =>
          parseJwsEnvelope(
            Buffer.from(
              JSON.stringify({
                payload: typeof payload === 'string' ? payload : payload,
                protected: Buffer.from(JSON.stringify(prot)).toString('base64url'),
                header,
                signature,
              }),
            ),
          ),
        ),
      ),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(mutated(JWS), (b) => onlyCoded(() => parseJwsEnvelope(b))),
      { numRuns: 300 },
    );
  });

  it('parseCoseEnvelope: arbitrary bytes, CBOR values, and mutated real envelopes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (b) => onlyCoded(() => parseCoseEnvelope(b))),
      { numRuns: 300 },
    );
    const cborish = fc.oneof(
      fc.integer(),
      fc.string(),
      fc.uint8Array({ maxLength: 8 }),
      fc.constant(null),
      fc.boolean(),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.oneof(
              fc.integer({ min: -5, max: 40 }),
              fc.constantFrom(
                'io.cncf.notary.signingScheme',
                'io.cncf.notary.signingTime',
                'io.cncf.notary.expiry',
              ),
            ),
            cborish,
          ),
          { maxLength: 8 },
        ),
        cborish,
        cborish,
        (entries, payload, sig) =>
          onlyCoded(() =>
            parseCoseEnvelope(
              encode(new Tag(18, [encode(new Map(entries)), new Map(), payload, sig])),
            ),
          ),
      ),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(mutated(COSE), (b) => onlyCoded(() => parseCoseEnvelope(b))),
      { numRuns: 300 },
    );
  });

  it('parseTrustPolicy and parseNotationPayload: arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (v) =>
        onlyCoded(() => parseTrustPolicy(JSON.stringify(v))),
      ),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) =>
        onlyCoded(() => parseTrustPolicy(JSON.stringify({ version: '1.0', trustPolicies: [v] }))),
      ),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) =>
        onlyCoded(() => parseNotationPayload(Buffer.from(JSON.stringify({ targetArtifact: v })))),
      ),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) =>
        onlyCoded(() => parseNotationPayload(b)),
      ),
      { numRuns: 200 },
    );
  });

  it('parseNotationSignatureManifest: arbitrary JSON and bytes', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) =>
        onlyCoded(() => parseNotationSignatureManifest(Buffer.from(JSON.stringify(v)))),
      ),
      { numRuns: 300 },
    );
    const layer = fc.record({
      mediaType: fc.constantFrom('application/jose+json', 'application/cose', 'x'),
      digest: fc.string(),
      size: fc.integer(),
    });
    fc.assert(
      fc.property(
        fc.array(layer, { maxLength: 3 }),
        fc.jsonValue({ maxDepth: 2 }),
        (layers, annotations) =>
          onlyCoded(() =>
            parseNotationSignatureManifest(
              Buffer.from(
                JSON.stringify({
                  mediaType: 'application/vnd.oci.image.manifest.v1+json',
                  artifactType: 'application/vnd.cncf.notary.signature',
                  config: {
                    mediaType: 'application/vnd.oci.empty.v1+json',
                    digest: 'sha256:x',
                    size: 2,
                  },
                  layers,
                  subject: { mediaType: 'm', digest: 'sha256:y', size: 1 },
                  annotations: {
                    'io.cncf.notary.x509chain.thumbprint#S256': JSON.stringify(annotations),
                  },
                }),
              ),
            ),
          ),
      ),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 128 }), (b) =>
        onlyCoded(() => parseNotationSignatureManifest(b)),
      ),
      { numRuns: 200 },
    );
  });

  it('parseDn answers a map or a reason; parseTrustStoreFile only coded errors', () => {
    fc.assert(
      fc.property(
        fc.string({
          maxLength: 80,
          unit: fc.constantFrom('C', 'S', 'T', 'O', '=', ',', '+', '\\', ' ', '#', 'a', '1'),
        }),
        (s) => {
          const r = parseDn(s);
          assert.ok(typeof r === 'string' || r instanceof Map);
        },
      ),
      { numRuns: 500 },
    );
    const pemish = fc.oneof(
      fc.uint8Array({ maxLength: 256 }),
      fc
        .string({ maxLength: 200 })
        .map((s) => Buffer.from(`-----BEGIN CERTIFICATE-----\n${s}\n-----END CERTIFICATE-----\n`)),
    );
    fc.assert(
      fc.property(pemish, fc.constantFrom('ca', 'signingAuthority', 'tsa'), (bytes, type) =>
        onlyCoded(() =>
          parseTrustStoreFile({ type, store: 's', file: 'f', bytes: new Uint8Array(bytes) }),
        ),
      ),
      { numRuns: 300 },
    );
  });

  it('verifyTimestampToken answers a reason, never throws, on garbage tokens', () => {
    const token = new Uint8Array(
      readFileSync(
        conformancePath(
          'notation',
          'go',
          'verifier',
          'testdata',
          'timestamp',
          'countersignature',
          'TimeStampToken.p7s',
        ),
      ),
    );
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 256 }), mutated(token)), (b) => {
        const r = verifyTimestampToken(b, Buffer.from('notation'), []);
        assert.equal(typeof r, 'string');
      }),
      { numRuns: 300 },
    );
  });

  it('the whole verifier on mutated real envelopes: a decision or a coded error', async () => {
    const policy = parseTrustPolicy(
      JSON.stringify({
        version: '1.0',
        trustPolicies: [
          {
            name: 'p',
            registryScopes: ['*'],
            signatureVerification: { level: 'audit' },
            trustStores: ['ca:x'],
            trustedIdentities: ['*'],
          },
        ],
      }),
    );
    const digest = 'sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda';
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          mutated(JWS).map((b) => [b, MEDIA_TYPE_JWS] as const),
          mutated(COSE).map((b) => [b, MEDIA_TYPE_COSE] as const),
        ),
        async ([b, mediaType]) => {
          try {
            const v = await verifyNotationSignature(
              {
                envelope: b,
                mediaType,
                artifactReference: `r.example/a@${digest}`,
                artifactDigest: digest,
              },
              { policy, trustStores: buildTrustStores([]) },
              new Date('2026-12-03T00:00:00Z'),
            );
            assert.equal(typeof v.verified, 'boolean');
          } catch (e) {
            assert.ok(
              e instanceof NotationError,
              `${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`,
            );
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('size caps', () => {
  it('refuses envelopes over the limit before parsing', () => {
    const big = new Uint8Array(NOTATION_LIMITS.envelopeBytes + 1);
    expectCustodyError(
      () => parseJwsEnvelope(big),
      NotationError,
      'SIGN_NOTATION_ENVELOPE_TOO_LARGE',
    );
    expectCustodyError(
      () => parseCoseEnvelope(big),
      NotationError,
      'SIGN_NOTATION_ENVELOPE_TOO_LARGE',
    );
  });
  it('refuses certificate chains over the limit', () => {
    const env = JSON.parse(Buffer.from(JWS).toString());
    env.header.x5c = Array(NOTATION_LIMITS.certificates + 1).fill(env.header.x5c[0]);
    expectCustodyError(
      () => parseJwsEnvelope(Buffer.from(JSON.stringify(env))),
      NotationError,
      'SIGN_NOTATION_ENVELOPE_MALFORMED',
    );
  });
  it('refuses deeply nested CBOR', () => {
    let v: unknown = 1;
    for (let i = 0; i < 40; i++) v = [v];
    expectCustodyError(
      () =>
        parseCoseEnvelope(
          encode(
            new Tag(18, [
              encode(new Map([[1, v]])),
              new Map(),
              new Uint8Array(),
              new Uint8Array([1]),
            ]),
          ),
        ),
      NotationError,
      'SIGN_NOTATION_ENVELOPE_MALFORMED',
    );
  });
});
