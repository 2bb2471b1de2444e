import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { validateExceptionRequest } from '../../src/admission/exceptions.js';
import { AdmissionGovernanceError } from '../../src/admission/governance-errors.js';
import { validateNamespaceConfig } from '../../src/admission/namespaces.js';
import { validateOverrideRequest } from '../../src/admission/overrides.js';

const NOW = new Date('2026-12-01T12:00:00Z');

/** Whatever arrives, a validator answers a value or a coded admission error, never anything else. */
function codedOrValue(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof AdmissionGovernanceError, `not a coded error: ${String(e)}`);
    assert.match(e.code, /^ADMISSION_[A-Z_]+$/);
  }
}

const anyValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(
    fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.integer(),
      fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 })),
    ),
    { maxLength: 4 },
  ),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 20 }), fc.integer())),
);
const fields = (keys: string[]) =>
  fc.record(Object.fromEntries(keys.map((k) => [k, anyValue])), { requiredKeys: [] });

describe('governance validators on arbitrary input', () => {
  it('namespace configuration', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 70 }),
        fc.string({ maxLength: 70 }),
        fields([
          'mode',
          'policy',
          'team',
          'identities',
          'expectedIssuer',
          'requireDigest',
          'highRisk',
          'acceptFallback',
        ]),
        (cluster, ns, input) =>
          codedOrValue(() => validateNamespaceConfig(cluster, ns, input as never)),
      ),
      { numRuns: 1000 },
    );
  });

  it('exception requests', () => {
    fc.assert(
      fc.property(
        fields(['namespace', 'imagePattern', 'ticket', 'reasons', 'expiresAt']),
        (input) => codedOrValue(() => validateExceptionRequest(input as never, NOW)),
      ),
      { numRuns: 1000 },
    );
  });

  it('override requests', () => {
    fc.assert(
      fc.property(
        fields(['namespaces', 'mode', 'ticket', 'expiresAt', 'revertWhenHealthy']),
        (input) => codedOrValue(() => validateOverrideRequest(input as never, NOW)),
      ),
      { numRuns: 1000 },
    );
  });
});
