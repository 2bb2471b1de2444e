import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ADMISSION_DEFAULT_POLICY_NAME,
  ADMISSION_DEFAULT_POLICY_SOURCE,
} from '../../src/admission/default-policy.js';
import {
  compilePolicy,
  emptyEvidence,
  evaluatePolicy,
  parsePolicy,
} from '../../src/policy/index.js';

const DIGEST = `sha256:${'cd'.repeat(32)}`;

function signedWithSbom() {
  const e = emptyEvidence(DIGEST);
  e.signatures = [
    {
      kind: 'sigstore',
      identity: 'ci@example.com',
      issuer: 'https://oidc.example',
      keyHint: null,
      emergency: false,
      logged: true,
      verifiedAt: '2026-01-01T00:00:00.000Z',
    },
  ];
  e.sbom.present = true;
  e.sbom.subjectMatchesArtifact = true;
  return e;
}

describe('the admission default policy', () => {
  const policy = compilePolicy(parsePolicy(ADMISSION_DEFAULT_POLICY_SOURCE, 'admission-default'));

  it('is an ordinary policy named admission-default', () => {
    assert.equal(policy.document.name, ADMISSION_DEFAULT_POLICY_NAME);
    assert.deepEqual(
      policy.document.rules.map((r) => r.name),
      ['signed-by-trusted-identity', 'sbom-present', 'sbom-subject-matches'],
    );
  });

  it('passes a signed image with an SBOM about it', () => {
    assert.equal(evaluatePolicy(policy, signedWithSbom()).allowed, true);
  });

  const failing: Array<[string, (e: ReturnType<typeof signedWithSbom>) => void, string[]]> = [
    [
      'no signature',
      (e) => {
        e.signatures = [];
      },
      ['signed-by-trusted-identity'],
    ],
    [
      'no SBOM',
      (e) => {
        e.sbom.present = false;
        e.sbom.subjectMatchesArtifact = false;
      },
      ['sbom-present', 'sbom-subject-matches'],
    ],
    [
      'an SBOM about another digest',
      (e) => {
        e.sbom.subjectMatchesArtifact = false;
      },
      ['sbom-subject-matches'],
    ],
    [
      'nothing known',
      (e) => Object.assign(e, emptyEvidence(DIGEST)),
      ['signed-by-trusted-identity', 'sbom-present', 'sbom-subject-matches'],
    ],
  ];
  for (const [name, breakIt, rules] of failing) {
    it(`denies ${name}`, () => {
      const e = signedWithSbom();
      breakIt(e);
      const d = evaluatePolicy(policy, e);
      assert.equal(d.allowed, false);
      assert.deepEqual(
        d.results.filter((r) => r.outcome !== 'pass').map((r) => r.name),
        rules,
      );
    });
  }
});
