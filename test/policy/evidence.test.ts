import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PolicyError, parseEvidence } from '../../src/policy/index.js';
import { expectCustodyError } from '../helpers/expect-error.js';
import { goodEvidence } from './good-evidence.js';

describe('parseEvidence', () => {
  it('names every missing, extra and mistyped field', () => {
    const e = goodEvidence() as unknown as Record<string, Record<string, unknown>>;
    delete e['commit'];
    (e['sbom'] as Record<string, unknown>)['extra'] = 1;
    (e['sbom'] as Record<string, unknown>)['components'] = -1;
    (e['artifact'] as Record<string, unknown>)['supplier'] = 'no';
    const err = expectCustodyError(
      () => parseEvidence(e, 'e.json'),
      PolicyError,
      'POLICY_EVIDENCE_INVALID',
    );
    assert.deepEqual([...((err.details?.['problems'] ?? []) as string[])].sort(), [
      'artifact.supplier: true or false',
      'commit: missing',
      'sbom.components: a whole number ≥ 0',
      'sbom.extra: not a field',
    ]);
  });

  it('caps lists, strings and free-form JSON', () => {
    const many = goodEvidence();
    many.sbom.licenses = Array.from({ length: 10_001 }, (_, i) => `L${i}`);
    expectCustodyError(() => parseEvidence(many, 'e'), PolicyError, 'POLICY_EVIDENCE_INVALID');
    const long = goodEvidence();
    long.artifact.name = 'x'.repeat(4097);
    expectCustodyError(() => parseEvidence(long, 'e'), PolicyError, 'POLICY_EVIDENCE_INVALID');
    const deep = goodEvidence();
    let v: unknown = 1;
    for (let i = 0; i < 12; i++) v = { v };
    (deep.provenance[0] as { externalParameters: unknown }).externalParameters = v;
    expectCustodyError(() => parseEvidence(deep, 'e'), PolicyError, 'POLICY_EVIDENCE_INVALID');
    const kind = goodEvidence() as unknown as { signatures: { kind: string }[] };
    (kind.signatures[0] as { kind: string }).kind = 'gpg';
    expectCustodyError(() => parseEvidence(kind, 'e'), PolicyError, 'POLICY_EVIDENCE_INVALID');
  });
});
