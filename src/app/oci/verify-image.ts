import { formatImageReference, type ImageReference } from '../../oci/index.js';
import type {
  IdentityPolicy,
  NotationTrust,
  TrustedRoot,
  VerifyOptions,
} from '../../sign/index.js';
import { collectEvidence, type EvidenceKind, type EvidencePiece } from './evidence.js';
import { type Env, openRegistry, type RegistryOptions } from './registry.js';
import {
  DEFAULT_VERIFIERS,
  type EvidenceVerifier,
  isSignStatement,
  type PieceVerdict,
} from './verifiers.js';

export interface ImageVerifyRequest {
  /** Who must have made a Sigstore/cosign signature; absent when only notation's are judged. */
  policy?: IdentityPolicy;
  trust: TrustedRoot[];
  options: VerifyOptions;
  /** Notary Project trust policy and stores; absent, notation signatures are reported unjudged. */
  notation?: NotationTrust;
  /** The time certificates and notation's expiry are judged at (default: now). */
  now?: Date;
  /** Default: cosign signatures and attestations, Sigstore-bundle referrers, notation. */
  verifiers?: readonly EvidenceVerifier[];
}

export interface PieceReport {
  kind: EvidenceKind;
  source: EvidencePiece['source'];
  manifestDigest: string;
  layerDigest: string;
  mediaType: string;
  tag?: string;
  artifactType?: string;
  verifier?: string;
  verdict: PieceVerdict | { status: 'present' };
}

export interface ImageVerifyReport {
  image: string;
  digest: string;
  referrersVia: 'api' | 'tag';
  pieces: PieceReport[];
  /** At least one signature or attestation about the digest verified under the policy. */
  verified: boolean;
}

/**
 * `custody oci verify`: every piece of evidence found for the image (cosign tags and referrers),
 * each judged by the first verifier that accepts it. SBOMs and other artifacts are listed as
 * present: they are trusted through a signed attestation, not on their own.
 * @throws OciError from the registry; CoreError USAGE
 */
export async function verifyImage(
  ref: ImageReference,
  r: ImageVerifyRequest,
  env: Env,
  ro: RegistryOptions = {},
): Promise<ImageVerifyReport> {
  const { client } = openRegistry(env, ro);
  const evidence = await collectEvidence(client, ref);
  const verifiers = r.verifiers ?? DEFAULT_VERIFIERS;
  const ctx = {
    imageDigest: evidence.image.digest,
    imageReference: notationReference(ref, evidence.image.digest),
    policy: r.policy,
    trust: r.trust,
    options: r.options,
    ...(r.notation !== undefined ? { notation: r.notation } : {}),
    now: r.now ?? new Date(),
  };
  const pieces: PieceReport[] = [];
  for (const p of evidence.pieces) {
    const v = verifiers.find((x) => x.accepts(p));
    const verdict = v === undefined ? { status: 'present' as const } : await v.verify(p, ctx);
    // A referrer bundle holding an attestation (not Custody's sign statement) is an attestation.
    const kind =
      p.kind === 'signature' &&
      verdict.status === 'verified' &&
      verdict.predicateType !== undefined &&
      !isSignStatement(verdict.predicateType)
        ? 'attestation'
        : p.kind;
    pieces.push({
      kind,
      source: p.source,
      manifestDigest: p.manifestDigest,
      layerDigest: p.layer.digest,
      mediaType: p.layer.mediaType,
      ...(p.tag !== undefined ? { tag: p.tag } : {}),
      ...(p.artifactType !== undefined ? { artifactType: p.artifactType } : {}),
      ...(v !== undefined ? { verifier: v.name } : {}),
      verdict,
    });
  }
  return {
    image: formatImageReference({ ...ref, digest: evidence.image.digest }),
    digest: evidence.image.digest,
    referrersVia: evidence.referrersVia,
    pieces,
    verified: pieces.some(
      (p) =>
        (p.kind === 'signature' || p.kind === 'attestation' || p.kind === 'notation') &&
        p.verdict.status === 'verified',
    ),
  };
}

/** `registry/repository@sha256:…` as notation's trust policy scopes name it (no tag, no scheme). */
function notationReference(ref: ImageReference, digest: string): string {
  return `${ref.registry}/${ref.repository}@${digest}`;
}
