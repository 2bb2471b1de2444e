import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  compilePolicy,
  emptyEvidence,
  evaluatePolicy,
  PolicyError,
  parseEvidence,
  parsePolicy,
} from '../../src/policy/index.js';
import { ARTIFACT, goodEvidence } from './good-evidence.js';

// Pieces of CEL that make well-formed and ill-formed expressions alike.
const atoms = fc.constantFrom(
  'evidence',
  'evidence.sbom',
  'evidence.sbom.licenses',
  'evidence.provenance',
  'evidence.sbom.quality.score',
  'evidence.artifact.name',
  'evidence.nope',
  'params',
  'params.x',
  'x',
  '1',
  '2.5',
  '-1',
  '"a"',
  '""',
  'true',
  'null',
  '[1, 2, 3]',
  '{"k": 1}',
  'b"ab"',
  '9223372036854775807',
  '1u',
);
const binary = fc.constantFrom('&&', '||', '==', '!=', '<', '>=', '+', '-', '*', '/', '%', 'in');

const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atoms,
    fc.tuple(tie('e'), binary, tie('e')).map(([a, op, b]) => `${a} ${op} ${b}`),
    tie('e').map((a) => `!(${a})`),
    tie('e').map((a) => `size(${a})`),
    tie('e').map((a) => `(${a})`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `${a}.all(x, ${b})`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `${a}.exists(x, ${b})`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `${a}.map(x, ${b})`),
    tie('e').map((a) => `${a}.matches("^a+$")`),
    fc
      .tuple(tie('e'), fc.string({ maxLength: 12 }))
      .map(([a, p]) => `${a}.matches(${JSON.stringify(p)})`),
    tie('e').map((a) => `has(${a}.k)`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([a, b, c]) => `${a} ? ${b} : ${c}`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `${a}[${b}]`),
    fc.string({ maxLength: 8 }),
  ),
})).e;

function attempt(expression: string, params: Record<string, unknown> = {}): void {
  const source = JSON.stringify({
    name: 'p',
    version: 1,
    params,
    rules: [{ name: 'r', expression }],
  });
  try {
    const d = evaluatePolicy(compilePolicy(parsePolicy(source, 'p')), goodEvidence());
    assert.equal(d.results.length, 1);
    assert.ok(['pass', 'fail', 'error'].includes(d.results[0]?.outcome ?? ''));
  } catch (e) {
    assert.ok(
      e instanceof PolicyError,
      `${expression}: ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`,
    );
  }
}

describe('random policies', () => {
  it('random expressions compile and evaluate, or fail with a PolicyError (never a crash)', () => {
    fc.assert(
      fc.property(
        expr,
        fc.dictionary(fc.constantFrom('x', 'y'), fc.jsonValue({ maxDepth: 2 })),
        (e, params) => attempt(e, params),
      ),
      { numRuns: 600 },
    );
  });

  it('arbitrary text as a policy source is a policy or a PolicyError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        try {
          parsePolicy(s, 'p');
        } catch (e) {
          assert.ok(e instanceof PolicyError, String(e));
        }
      }),
    );
  });

  it('arbitrary JSON as evidence is evidence or POLICY_EVIDENCE_INVALID', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        try {
          parseEvidence(v, 'e');
        } catch (e) {
          assert.ok(e instanceof PolicyError && e.code === 'POLICY_EVIDENCE_INVALID', String(e));
        }
      }),
    );
    assert.deepEqual(parseEvidence(goodEvidence(), 'e'), goodEvidence());
    assert.deepEqual(parseEvidence(emptyEvidence(ARTIFACT), 'e'), emptyEvidence(ARTIFACT));
  });
});
