/**
 * policy/provenance: the checks slsa-verifier makes on SLSA provenance, as pure functions over
 * parsed attestations and the trust passed in. A failed check is a value (`verified: false`
 * with slsa-verifier's error name as the reason); unreadable input throws a coded error.
 */
import { CoreError } from '../../core/index.js';
import type { TrustMaterialInput } from '../../sign/index.js';
import { bundleFromCosignLayer, type CosignAttestationLayer } from './cosign.js';
import {
  DEFAULT_ARTIFACT_BUILDERS,
  DEFAULT_BYOB_BUILDERS,
  DEFAULT_CONTAINER_BUILDERS,
  type ProvenanceExpectations,
  verifyGhaAttestation,
} from './gha.js';
import { ProvenanceFailure } from './reasons.js';
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
  /** The envelope's bytes as uploaded to Rekor (a cosign `.att` layer), for intoto 0.0.1 entries. */
  envelopeBytes?: Uint8Array;
}

/** GitHub Actions provenance: slsa-github-generator, BYOB builders, GitHub's own attestations. */
export function verifyGhaProvenance(input: GhaProvenanceInput): ProvenanceResult {
  return asResult(() => {
    const att = verifySignedAttestation(input.attestation, input.trust, {
      ...(input.allowMissingTlog !== undefined ? { allowMissingTlog: input.allowMissingTlog } : {}),
      ...(input.envelopeBytes !== undefined ? { envelopeBytes: input.envelopeBytes } : {}),
    });
    const kind = input.kind ?? 'artifact';
    const defaults =
      kind === 'image'
        ? DEFAULT_CONTAINER_BUILDERS
        : kind === 'github-attestation'
          ? []
          : [...DEFAULT_ARTIFACT_BUILDERS, ...DEFAULT_BYOB_BUILDERS];
    if (input.artifactDigests.length === 0) {
      throw new CoreError('USAGE', 'name at least one artifact to verify the provenance for');
    }
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

export type { CosignAttestationLayer } from './cosign.js';
export { type KeyedProvenanceInput, verifyKeyedProvenance } from './keyed.js';
export { NPM_ATTESTATION_KEYS, type NpmInput, verifyNpmPackage } from './npm.js';
export { type VsaInput, type VsaResult, verifyVsa } from './vsa.js';

export interface GhaImageInput {
  /** The image's cosign attestations (`sha256-<digest>.att` layers). */
  attestations: readonly CosignAttestationLayer[];
  /** The image digest (hex): images are verified by digest only. */
  imageDigest: string;
  expect: Omit<ProvenanceExpectations, 'artifactDigest'>;
  trust: TrustMaterialInput;
  testing?: boolean;
}

/**
 * slsa-verifier's verify-image for GitHub's container generator: each attestation in turn, the
 * first that passes wins; otherwise the first failure.
 */
export function verifyGhaImageProvenance(input: GhaImageInput): ProvenanceResult {
  let first: ProvenanceResult | undefined;
  for (const layer of input.attestations) {
    let bundle: unknown;
    try {
      bundle = bundleFromCosignLayer(layer);
    } catch (e) {
      if (!(e instanceof ProvenanceFailure)) throw e;
      first ??= { verified: false, reason: e.reason, upstream: e.upstream, message: e.message };
      continue;
    }
    const r = verifyGhaProvenance({
      attestation: bundle,
      artifactDigests: [input.imageDigest],
      expect: input.expect,
      trust: input.trust,
      kind: 'image',
      envelopeBytes: layer.envelope,
      ...(input.testing === true ? { testing: true } : {}),
    });
    if (r.verified) return r;
    first ??= r;
  }
  return (
    first ?? {
      verified: false,
      reason: 'no-valid-signature',
      upstream: 'ErrorNoValidSignature',
      message: 'the image has no attestation (ErrorNoValidSignature)',
    }
  );
}
