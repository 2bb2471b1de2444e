import { type FetchedManifest, type RegistryClient, type Repository, sha256 } from './client.js';
import { isOciError } from './errors.js';
import { type Descriptor, type ImageManifest, manifestBytes } from './manifest.js';
import { MEDIA } from './media-types.js';
import { digestTag } from './reference.js';

/** cosign's tag suffixes (SIGNATURE_SPEC.md "Tag-based Discovery"; attestations, SBOMs alike). */
export type CosignSuffix = 'sig' | 'att' | 'sbom';

/** `sha256-<hex>.sig` and its siblings. */
export function cosignTag(digest: string, suffix: CosignSuffix): string {
  return `${digestTag(digest)}.${suffix}`;
}

/**
 * The simple-signing payload cosign signs for an image (SIGNATURE_SPEC.md "Simple Signing"),
 * with the field order and spelling cosign writes (`docker-manifest-digest`, `optional: null`).
 */
export function simpleSigningPayload(dockerReference: string, digest: string): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': dockerReference },
        image: { 'docker-manifest-digest': digest },
        type: 'cosign container image signature',
      },
      optional: null,
    }),
  );
}

export interface SimpleSigning {
  dockerReference: string | undefined;
  digest: string;
  type: string;
}

/**
 * The fields a verifier needs from an (untrusted) simple-signing payload; undefined when it is
 * not one. Keys are read case-insensitively where cosign's own parser is (`Docker-manifest-digest`
 * appears in the spec's example).
 */
export function parseSimpleSigning(bytes: Uint8Array): SimpleSigning | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
  const critical = (doc as { critical?: Record<string, unknown> } | null)?.critical;
  if (typeof critical !== 'object' || critical === null) return undefined;
  const image = critical['image'] as Record<string, unknown> | undefined;
  const identity = critical['identity'] as Record<string, unknown> | undefined;
  const digest = Object.entries(image ?? {}).find(
    ([k]) => k.toLowerCase() === 'docker-manifest-digest',
  )?.[1];
  if (typeof digest !== 'string' || typeof critical['type'] !== 'string') return undefined;
  const ref = identity?.['docker-reference'];
  return {
    digest,
    type: critical['type'],
    dockerReference: typeof ref === 'string' ? ref : undefined,
  };
}

/** The manifest under a cosign tag, or undefined when there is none. */
export async function readCosignTag(
  client: RegistryClient,
  repo: Repository,
  digest: string,
  suffix: CosignSuffix,
): Promise<FetchedManifest | undefined> {
  try {
    return await client.getManifest(repo, cosignTag(digest, suffix));
  } catch (e) {
    if (isOciError(e, 'OCI_MANIFEST_NOT_FOUND')) return undefined;
    throw e;
  }
}

/**
 * Add a layer to the manifest under a cosign tag, as cosign does: `.sig` and `.att` collect one
 * layer per signature or attestation (an identical one is not added twice); the config is the
 * image config cosign writes (rootfs diff_ids = the layers' digests). `.sbom` holds one SBOM and
 * is replaced.
 */
export async function appendCosignLayer(
  client: RegistryClient,
  repo: Repository,
  digest: string,
  suffix: CosignSuffix,
  layer: { bytes: Uint8Array; mediaType: string; annotations?: Record<string, string> },
): Promise<{ tag: string; manifestDigest: string; layer: Descriptor }> {
  const tag = cosignTag(digest, suffix);
  const existing =
    suffix === 'sbom' ? undefined : await readCosignTag(client, repo, digest, suffix);
  const previous = existing?.parsed.kind === 'manifest' ? existing.parsed.manifest.layers : [];
  const pushed = await client.pushBlob(repo, layer.bytes, layer.mediaType);
  const d: Descriptor =
    layer.annotations !== undefined ? { ...pushed, annotations: layer.annotations } : pushed;
  const same = (a: Descriptor) =>
    a.digest === d.digest &&
    JSON.stringify(a.annotations ?? {}) === JSON.stringify(d.annotations ?? {});
  const layers = previous.some(same) ? previous : [...previous, d];
  const config = new TextEncoder().encode(
    JSON.stringify({
      architecture: '',
      created: '0001-01-01T00:00:00Z',
      history: [{ created: '0001-01-01T00:00:00Z' }],
      os: '',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      config: {},
    }),
  );
  const configDesc = await client.pushBlob(repo, config, MEDIA.ociConfig);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: configDesc,
    layers,
  };
  const bytes = manifestBytes(manifest);
  await client.putManifest(repo, tag, bytes, MEDIA.ociManifest);
  return { tag, manifestDigest: sha256(bytes), layer: d };
}
