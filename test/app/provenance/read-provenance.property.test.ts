import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ProvenanceServiceError } from '../../../src/app/provenance/errors.js';
import { readProvenanceFacts } from '../../../src/app/provenance/read-provenance.js';
import { parseSlsaSettings } from '../../../src/app/provenance/slsa-settings.js';
import { isCustodyError } from '../../../src/core/index.js';
import type { Statement } from '../../../src/sign/index.js';
import { provenancePredicate } from '../../helpers/provenance.js';

const statement = (predicate: unknown, predicateType = 'https://slsa.dev/provenance/v1') =>
  ({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'app', digest: { sha256: 'a'.repeat(64) } }],
    predicateType,
    predicate,
  }) as Statement;

describe('readProvenanceFacts', () => {
  it('reads the builder, build type, source and pinned dependencies', () => {
    const f = readProvenanceFacts(statement(provenancePredicate()));
    assert.equal(f.builderId, 'https://ci.example/jenkins');
    assert.equal(f.externalParameters, true);
    assert.deepEqual([f.dependencies, f.pinned], [3, 2]);
  });

  it('a malformed predicate is ATTESTATION_STATEMENT_INVALID naming the SLSA reason', () => {
    try {
      readProvenanceFacts(statement({ buildDefinition: 'x' }));
      assert.fail('expected a refusal');
    } catch (e) {
      assert.ok(e instanceof ProvenanceServiceError);
      assert.equal(e.code, 'ATTESTATION_STATEMENT_INVALID');
      assert.match(String(e.details?.['reason']), /^SLSA_/);
    }
  });

  it('arbitrary predicates are read or refused with a coded error, never a TypeError', () => {
    const types = fc.constantFrom(
      'https://slsa.dev/provenance/v1',
      'https://slsa.dev/provenance/v0.2',
      'https://slsa.dev/provenance/v0.1',
    );
    const mutated = fc
      .tuple(
        fc.jsonValue({ maxDepth: 3 }),
        fc.constantFrom('buildDefinition', 'runDetails', 'builder', 'invocation', 'materials'),
      )
      .map(([v, k]) => ({ ...provenancePredicate(), [k]: v }));
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 4 }), mutated), types, (p, t) => {
        try {
          const f = readProvenanceFacts(statement(p, t));
          assert.ok(f.pinned <= f.dependencies);
        } catch (e) {
          assert.ok(isCustodyError(e), String(e));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseSlsaSettings', () => {
  it('-0 (which JSON cannot carry) is read as 0, so stored settings read back the same', () => {
    const s = parseSlsaSettings({ supplierLevel: -0 });
    assert.ok(Object.is(s.supplierLevel, 0));
    assert.deepEqual(parseSlsaSettings(JSON.parse(JSON.stringify(s))), s);
  });

  it('arbitrary JSON parses to settings or is SLSA_SETTINGS_INVALID, never a TypeError', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        for (const input of [v, { builders: v }, { supplierLevel: v }, { builders: [v] }]) {
          try {
            const s = parseSlsaSettings(input);
            assert.ok([0, 1, 2, 3].includes(s.supplierLevel));
            // What was taken parses again to the same (it is stored as JSON and read back).
            assert.deepEqual(parseSlsaSettings(JSON.parse(JSON.stringify(s))), s);
          } catch (e) {
            assert.ok(isCustodyError(e, 'SLSA_SETTINGS_INVALID'), String(e));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
