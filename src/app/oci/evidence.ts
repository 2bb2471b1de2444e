import {
  BUNDLE_ANNOTATION,
  type CosignSuffix,
  type Descriptor,
  type FetchedManifest,
  type ImageReference,
  isOciError,
  listReferrers,
  MEDIA,
  type RegistryClient,
  readCosignTag,
} from '../../oci/index.js';
import { SIGN_PREDICATE_TYPE } from './constants.js';

/** What a piece of evidence is; `notation` and `artifact` are reported, not judged, here. */
export type EvidenceKind = 'signature' | 'attestation' | 'sbom' | 'notation' | 'artifact';

/** One signature, attestation, SBOM or other artifact found for an image. */
export interface EvidencePiece {
  kind: EvidenceKind;
  /** cosign's tag scheme, or an OCI 1.1 referrer (API or fallback tag). */
  source: 'cosign-tag' | 'referrer';
  /** The manifest that holds it (the cosign tag's manifest, or the referrer manifest). */
  manifestDigest: string;
  /** The cosign tag it was found under. */
  tag?: string;
  /** The referrer's artifactType. */
  artifactType?: string;
  /** The layer holding the content, and the content (checked against the layer's digest). */
  layer: Descriptor;
  bytes: Uint8Array;
  /** The referrer manifest's own annotations. */
  manifestAnnotations?: Record<string, string>;
}

export interface ImageEvidence {
  image: ImageReference & { digest: string };
  manifest: FetchedManifest;
  pieces: EvidencePiece[];
  referrersVia: 'api' | 'tag';
}

/** Signature and attestation layers are small; an SBOM may be large. */
const SIGNATURE_LAYER_MAX = 16 * 1024 * 1024;
const SBOM_LAYER_MAX = 128 * 1024 * 1024;
const REFERRERS_MAX = 256;
const SBOM_TYPES: ReadonlySet<string> = new Set([
  MEDIA.spdxJson,
  MEDIA.cyclonedxJson,
  'application/spdx+json',
  'text/spdx',
  'application/vnd.cyclonedx+xml',
  'text/xml',
  'application/vnd.syft+json',
]);

/**
 * Everything attached to an image, the way cosign finds it (`.sig`, `.att`, `.sbom` tags) and
 * the way OCI 1.1 clients do (referrers); every manifest and blob checked against its digest.
 * Referrers whose subject is not the image are left out.
 */
export async function collectEvidence(
  client: RegistryClient,
  ref: ImageReference,
): Promise<ImageEvidence> {
  client.assertAllowed(ref.registry);
  const repo = { registry: ref.registry, repository: ref.repository };
  const manifest = await client.resolve(ref);
  const digest = manifest.digest;
  const pieces: EvidencePiece[] = [];
  const kinds: Record<CosignSuffix, EvidenceKind> = {
    sig: 'signature',
    att: 'attestation',
    sbom: 'sbom',
  };
  for (const suffix of ['sig', 'att', 'sbom'] as const) {
    const tagged = await readCosignTag(client, repo, digest, suffix);
    if (tagged === undefined || tagged.parsed.kind !== 'manifest') continue;
    for (const layer of tagged.parsed.manifest.layers) {
      const max = suffix === 'sbom' ? SBOM_LAYER_MAX : SIGNATURE_LAYER_MAX;
      pieces.push({
        kind: kinds[suffix],
        source: 'cosign-tag',
        manifestDigest: tagged.digest,
        tag: `${digest.replace(':', '-')}.${suffix}`,
        layer,
        bytes: await client.getBlob(repo, layer.digest, max),
      });
    }
  }
  const referrers = await listReferrers(client, repo, digest);
  for (const d of referrers.descriptors.slice(0, REFERRERS_MAX)) {
    let m: FetchedManifest;
    try {
      m = await client.getManifest(repo, d.digest);
    } catch (e) {
      // A fallback index may list a referrer deleted since; the API would not.
      if (isOciError(e, 'OCI_MANIFEST_NOT_FOUND')) continue;
      throw e;
    }
    if (m.parsed.kind !== 'manifest' || m.parsed.manifest.subject?.digest !== digest) continue;
    const man = m.parsed.manifest;
    const artifactType = man.artifactType ?? d.artifactType ?? man.config.mediaType;
    const kind = kindOf(artifactType, man.layers[0]?.mediaType, man.annotations);
    for (const layer of man.layers.slice(0, 1)) {
      pieces.push({
        kind,
        source: 'referrer',
        manifestDigest: m.digest,
        artifactType,
        layer,
        bytes: await client.getBlob(
          repo,
          layer.digest,
          kind === 'sbom' ? SBOM_LAYER_MAX : SIGNATURE_LAYER_MAX,
        ),
        ...(man.annotations !== undefined ? { manifestAnnotations: man.annotations } : {}),
      });
    }
  }
  return { image: { ...ref, digest }, manifest, pieces, referrersVia: referrers.via };
}

/**
 * What a referrer holds, by its artifactType; a Sigstore bundle by cosign's annotations (a
 * statement other than the sign statement is an attestation). Verification re-derives the kind
 * from the verified content; this is for listing.
 */
function kindOf(
  artifactType: string,
  layerType: string | undefined,
  annotations: Record<string, string> | undefined,
): EvidenceKind {
  if (artifactType === MEDIA.notationSignature) return 'notation';
  if (artifactType.startsWith('application/vnd.dev.sigstore.bundle')) {
    const predicateType = annotations?.[BUNDLE_ANNOTATION.predicateType];
    return predicateType !== undefined && predicateType !== SIGN_PREDICATE_TYPE
      ? 'attestation'
      : 'signature';
  }
  if (artifactType === MEDIA.dsseEnvelope || artifactType === MEDIA.inToto) return 'attestation';
  if (SBOM_TYPES.has(artifactType) || (layerType !== undefined && SBOM_TYPES.has(layerType)))
    return 'sbom';
  return 'artifact';
}
