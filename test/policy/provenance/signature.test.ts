/**
 * slsa-verifier's unit data for the signature step (CASES.md H, verifiers/internal/gha/testdata/
 * bundle): Sigstore bundles v0.1 and v0.3 verify against the public-good root; a log entry for
 * another signature is ErrorMismatchSignature, a bad signed entry timestamp ErrorInvalidRekorEntry.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ProvenanceFailure } from '../../../src/policy/provenance/reasons.js';
import { verifySignedAttestation } from '../../../src/policy/provenance/signature.js';
import { parseTrustedRoot } from '../../../src/sign/index.js';
import { conformancePath, REPO_ROOT } from '../../helpers/conformance.js';

const DIR = conformancePath(
  'slsa',
  'slsa-verifier',
  'verifiers',
  'internal',
  'gha',
  'testdata',
  'bundle',
);
const ROOT = parseTrustedRoot(
  JSON.parse(readFileSync(join(REPO_ROOT, 'trust', 'public-good.trusted_root.json'), 'utf8')),
);

function outcome(file: string): string {
  try {
    const att = verifySignedAttestation(JSON.parse(readFileSync(join(DIR, file), 'utf8')), ROOT);
    assert.equal(att.tlog, true);
    assert.equal(att.payloadType, 'application/vnd.in-toto+json');
    return 'verified';
  } catch (e) {
    if (e instanceof ProvenanceFailure) return e.upstream;
    throw e;
  }
}

describe('policy/provenance: the signature step on slsa-verifier unit data (H)', () => {
  const cases: [string, string][] = [
    ['valid.intoto.sigstore', 'verified'],
    ['valid-v0.3.intoto.sigstore', 'verified'],
    ['mismatch-tlog.intoto.sigstore', 'ErrorMismatchSignature'],
    ['invalid-set.intoto.sigstore', 'ErrorInvalidRekorEntry'],
  ];
  for (const [file, want] of cases) {
    it(`${file}: ${want}`, () => assert.equal(outcome(file), want));
  }
});
