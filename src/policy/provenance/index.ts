/**
 * policy/provenance: the checks slsa-verifier makes on SLSA provenance, as pure functions over
 * parsed attestations and the trust passed in. A failed check is a value (`verified: false`
 * with slsa-verifier's error name as the reason); unreadable input throws a coded error.
 */
import type { TrustMaterialInput } from '../../sign/index.js';
import {
  DEFAULT_ARTIFACT_BUILDERS,
  DEFAULT_BYOB_BUILDERS,
  DEFAULT_CONTAINER_BUILDERS,
  type ProvenanceExpectations,
  verifyGhaAttestation,
} from './gha.js';
import { asResult, type ProvenanceResult } from './result.js';
import { verifySignedAttestation } from './signature.js';

export type { ProvenanceExpectations } from './gha.js';
export { PROVENANCE_REASONS, type ProvenanceReason } from './reasons.js';
export type { ProvenanceResult } from './result.js';

export interface GhaProvenanceInput {
  /** A Sigstore bundle or a legacy `.intoto.jsonl` envelope (parsed JSON). */
  attestation: unknown;
  /** The artifacts' digests (hex; 64 digits for sha256). Each must be a subject. */
  artifactDigests: readonly string[];
  expect: Omit<ProvenanceExpectations, 'artifactDigest'>;
  trust: TrustMaterialInput;
  /**
   * `artifact` (slsa-verifier verify-artifact), `image` (verify-image) or `github-attestation`
   * (verify-github-attestation: no default builders, `--builder-id` is required).
   */
  kind?: 'artifact' | 'image' | 'github-attestation';
  allowMissingTlog?: boolean;
  testing?: boolean;
}

/** GitHub Actions provenance: slsa-github-generator, BYOB builders, GitHub's own attestations. */
export function verifyGhaProvenance(input: GhaProvenanceInput): ProvenanceResult {
  return asResult(() => {
    const att = verifySignedAttestation(input.attestation, input.trust, {
      ...(input.allowMissingTlog !== undefined ? { allowMissingTlog: input.allowMissingTlog } : {}),
    });
    const kind = input.kind ?? 'artifact';
    const defaults =
      kind === 'image'
        ? DEFAULT_CONTAINER_BUILDERS
        : kind === 'github-attestation'
          ? []
          : [...DEFAULT_ARTIFACT_BUILDERS, ...DEFAULT_BYOB_BUILDERS];
    if (input.artifactDigests.length === 0) throw new TypeError('no artifact digest given');
    let last: ReturnType<typeof verifyGhaAttestation> | undefined;
    for (const digest of input.artifactDigests) {
      last = verifyGhaAttestation(
        att,
        { ...input.expect, artifactDigest: digest.toLowerCase() },
        defaults,
        input.testing === true ? { testing: true } : {},
      );
    }
    const v = last as ReturnType<typeof verifyGhaAttestation>;
    return {
      verified: true,
      builderId: v.builderId,
      sourceRepository: v.sourceRepository,
      commit: v.commit,
      signer: v.signer,
      statement: v.statement,
      tlog: att.tlog,
    };
  });
}

export { type KeyedProvenanceInput, verifyKeyedProvenance } from './keyed.js';
export { NPM_ATTESTATION_KEYS, type NpmInput, verifyNpmPackage } from './npm.js';
export { type VsaInput, type VsaResult, verifyVsa } from './vsa.js';
