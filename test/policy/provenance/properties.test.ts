/**
 * Untrusted attestations: arbitrary JSON as a bundle, envelope, npm attestation set or cosign
 * layer gives a result value (verified: false) or a coded CustodyError, never anything else, and
 * never `verified: true`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isCustodyError } from '../../../src/core/index.js';
import {
  type ProvenanceResult,
  verifyGhaImageProvenance,
  verifyGhaProvenance,
  verifyNpmPackage,
} from '../../../src/policy/provenance/index.js';
import { parseTrustedRoot } from '../../../src/sign/index.js';
import { REPO_ROOT } from '../../helpers/conformance.js';

const ROOT = parseTrustedRoot(
  JSON.parse(readFileSync(join(REPO_ROOT, 'trust', 'public-good.trusted_root.json'), 'utf8')),
);
const EXPECT = { sourceUri: 'github.com/o/r' };
const DIGEST = 'ab'.repeat(32);

function refusedOrCoded(f: () => ProvenanceResult): void {
  let r: ProvenanceResult;
  try {
    r = f();
  } catch (e) {
    assert.ok(isCustodyError(e), `untyped error: ${(e as Error)?.stack}`);
    return;
  }
  assert.equal(r.verified, false);
}

const bundleLike = fc.record({
  mediaType: fc.constantFrom(
    'application/vnd.dev.sigstore.bundle+json;version=0.1',
    'application/vnd.dev.sigstore.bundle.v0.3+json',
    'x',
  ),
  verificationMaterial: fc.jsonValue({ maxDepth: 3 }),
  dsseEnvelope: fc.jsonValue({ maxDepth: 2 }),
});
const envelopeLike = fc.record({
  payloadType: fc.constantFrom('application/vnd.in-toto+json', 'text/plain'),
  payload: fc.base64String({ maxLength: 80 }),
  signatures: fc.array(
    fc.record({ keyid: fc.string(), sig: fc.base64String({ maxLength: 40 }), cert: fc.string() }),
    { maxLength: 2 },
  ),
});

describe('policy/provenance: properties', () => {
  it('arbitrary attestations are refused or give a coded error', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), bundleLike, envelopeLike),
        fc.boolean(),
        (att, allow) => {
          refusedOrCoded(() =>
            verifyGhaProvenance({
              attestation: att,
              artifactDigests: [DIGEST],
              expect: EXPECT,
              trust: ROOT,
              allowMissingTlog: allow,
            }),
          );
          refusedOrCoded(() =>
            verifyNpmPackage({
              attestations: { attestations: [att, att] },
              tarballDigest: DIGEST,
              expect: { ...EXPECT, builderId: 'https://github.com/actions/runner' },
              trust: ROOT,
            }),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('arbitrary cosign layers are refused or give a coded error', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 100 }),
        fc.dictionary(
          fc.constantFrom(
            'dev.sigstore.cosign/certificate',
            'dev.sigstore.cosign/bundle',
            'dev.sigstore.cosign/chain',
            'predicateType',
          ),
          fc.string({ maxLength: 60 }),
        ),
        (envelope, annotations) => {
          refusedOrCoded(() =>
            verifyGhaImageProvenance({
              attestations: [{ envelope, annotations }],
              imageDigest: DIGEST,
              expect: EXPECT,
              trust: ROOT,
            }),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
