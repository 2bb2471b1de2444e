import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  canonicalJson,
  type DecisionKeyInput,
  decisionCacheKey,
  expiryBucket,
} from '../../src/admission/cache-key.js';
import type { NamespaceConfig } from '../../src/admission/types.js';

const hex = fc.stringMatching(/^[0-9a-f]{64}$/);

const nsArb: fc.Arbitrary<NamespaceConfig> = fc.record({
  cluster: fc.constantFrom('*', 'prod', 'dev'),
  namespace: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
  mode: fc.constantFrom('enforce', 'warn', 'audit'),
  policy: fc.oneof(
    fc.constant({ kind: 'admission-default' as const }),
    fc.constant({ kind: 'builtin' as const }),
    fc.record({
      kind: fc.constant('stored' as const),
      team: fc.string({ maxLength: 8 }),
      name: fc.string({ maxLength: 8 }),
    }),
  ),
  identities: fc.array(
    fc.record({ subject: fc.string({ maxLength: 10 }), issuer: fc.string({ maxLength: 10 }) }),
    { maxLength: 3 },
  ),
  expectedIssuer: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
  requireDigest: fc.boolean(),
  highRisk: fc.boolean(),
  acceptFallback: fc.boolean(),
  version: fc.nat(1000),
}) as fc.Arbitrary<NamespaceConfig>;

const inputArb: fc.Arbitrary<DecisionKeyInput> = fc.record({
  imageDigest: hex.map((h) => `sha256:${h}`),
  namespace: nsArb,
  policyDigest: hex.map((h) => `sha256:${h}`),
  trustFingerprint: hex,
  governanceGeneration: fc.oneof(fc.nat(), fc.string({ maxLength: 6 })),
  materialBucket: fc.nat(),
  materialDigest: hex,
});

/** Every single-input change a decision can see. */
function mutations(i: DecisionKeyInput): DecisionKeyInput[] {
  const ns = i.namespace;
  const flip = (h: string) => (h.endsWith('0') ? `${h.slice(0, -1)}1` : `${h.slice(0, -1)}0`);
  return [
    { ...i, imageDigest: flip(i.imageDigest) },
    { ...i, policyDigest: flip(i.policyDigest) },
    { ...i, trustFingerprint: flip(i.trustFingerprint) },
    { ...i, materialDigest: flip(i.materialDigest) },
    { ...i, materialBucket: i.materialBucket + 1 },
    {
      ...i,
      governanceGeneration:
        typeof i.governanceGeneration === 'number'
          ? i.governanceGeneration + 1
          : `${i.governanceGeneration}x`,
    },
    // 1 and "1" are different generations.
    {
      ...i,
      governanceGeneration:
        typeof i.governanceGeneration === 'number'
          ? String(i.governanceGeneration)
          : i.governanceGeneration.length,
    },
    { ...i, namespace: { ...ns, version: ns.version + 1 } },
    { ...i, namespace: { ...ns, mode: ns.mode === 'enforce' ? 'audit' : 'enforce' } },
    { ...i, namespace: { ...ns, requireDigest: !ns.requireDigest } },
    { ...i, namespace: { ...ns, highRisk: !ns.highRisk } },
    { ...i, namespace: { ...ns, acceptFallback: !ns.acceptFallback } },
    { ...i, namespace: { ...ns, expectedIssuer: `${ns.expectedIssuer ?? ''}z` } },
    { ...i, namespace: { ...ns, identities: [...ns.identities, { subject: 'x' }] } },
    { ...i, namespace: { ...ns, cluster: `${ns.cluster}z` } },
    { ...i, namespace: { ...ns, namespace: `${ns.namespace}z` } },
    {
      ...i,
      namespace: {
        ...ns,
        policy: ns.policy.kind === 'builtin' ? { kind: 'admission-default' } : { kind: 'builtin' },
      },
    },
  ];
}

describe('decisionCacheKey', () => {
  it('property: changing any single input changes the key', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const k = decisionCacheKey(i);
        assert.match(k, /^sha256:[0-9a-f]{64}$/);
        for (const m of mutations(i)) assert.notEqual(decisionCacheKey(m), k, JSON.stringify(m));
      }),
      { numRuns: 200 },
    );
  });

  it('property: the same inputs in another field order give the same key', () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const reordered = Object.fromEntries(
          Object.entries(i).reverse(),
        ) as unknown as DecisionKeyInput;
        reordered.namespace = Object.fromEntries(
          Object.entries(i.namespace).reverse(),
        ) as unknown as NamespaceConfig;
        assert.equal(decisionCacheKey(reordered), decisionCacheKey(i));
      }),
      { numRuns: 100 },
    );
  });

  it('canonical JSON sorts keys at every depth and leaves out undefined', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [2, { f: 1, e: undefined }], c: null } }),
      '{"a":{"c":null,"d":[2,{"f":1}]},"b":1}',
    );
  });

  it('expiry buckets', () => {
    assert.equal(expiryBucket(0, 300_000), 0);
    assert.equal(expiryBucket(299_999, 300_000), 0);
    assert.equal(expiryBucket(300_000, 300_000), 1);
  });
});
