import { type FetchedManifest, type RegistryClient, type Repository, sha256 } from './client.js';
import { isOciError, OciError } from './errors.js';
import { type Descriptor, type ImageIndex, type ImageManifest, manifestBytes } from './manifest.js';
import { EMPTY_JSON, MEDIA } from './media-types.js';
import { digestTag } from './reference.js';

export interface Referrers {
  descriptors: Descriptor[];
  /** Where they came from: the referrers API, or the fallback tag `sha256-<hex>`. */
  via: 'api' | 'tag';
}

/**
 * The referrers of `digest` (distribution-spec "Listing Referrers"): the API when the registry
 * has it, else the referrers tag schema's index. Filtered by artifactType here as well, since a
 * registry may ignore the filter (it says so with OCI-Filters-Applied) and the tag index never
 * filters.
 */
export async function listReferrers(
  client: RegistryClient,
  repo: Repository,
  digest: string,
  artifactType?: string,
): Promise<Referrers> {
  const api = await client.referrersApi(repo, digest, artifactType);
  const filter = (ds: Descriptor[]) =>
    artifactType === undefined ? ds : ds.filter((d) => d.artifactType === artifactType);
  if (api !== undefined) return { descriptors: filter(api), via: 'api' };
  const index = await fallbackIndex(client, repo, digest);
  return { descriptors: filter(index?.manifests ?? []), via: 'tag' };
}

export interface ArtifactLayer {
  bytes: Uint8Array;
  mediaType: string;
  annotations?: Record<string, string>;
}

/**
 * Push an artifact manifest (image-spec "Guidelines for Artifact Usage": artifactType, the empty
 * config, `subject`) that refers to `subject`. When the registry did not process the subject
 * (no OCI-Subject header: no referrers API), the referrers tag index is read, extended and
 * written back, as the spec's "Pushing Manifests with Subject" asks of clients.
 */
export async function pushReferrer(
  client: RegistryClient,
  repo: Repository,
  subject: Descriptor,
  artifactType: string,
  layers: ArtifactLayer[],
  annotations?: Record<string, string>,
): Promise<Descriptor> {
  const config = await client.pushBlob(repo, EMPTY_JSON, MEDIA.ociEmpty);
  const pushed: Descriptor[] = [];
  for (const l of layers) {
    const d = await client.pushBlob(repo, l.bytes, l.mediaType);
    pushed.push(l.annotations !== undefined ? { ...d, annotations: l.annotations } : d);
  }
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    artifactType,
    config,
    layers: pushed,
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    ...(annotations !== undefined ? { annotations } : {}),
  };
  const bytes = manifestBytes(manifest);
  const digest = sha256(bytes);
  const put = await client.putManifest(repo, digest, bytes, MEDIA.ociManifest);
  const d: Descriptor = {
    mediaType: MEDIA.ociManifest,
    digest,
    size: bytes.byteLength,
    artifactType,
    ...(annotations !== undefined ? { annotations } : {}),
  };
  if (!put.subjectProcessed) await addToFallbackIndex(client, repo, subject.digest, d);
  return d;
}

/** The referrers tag schema's index for `digest`, or undefined when there is none. */
export async function fallbackIndex(
  client: RegistryClient,
  repo: Repository,
  digest: string,
): Promise<ImageIndex | undefined> {
  let m: FetchedManifest;
  try {
    m = await client.getManifest(repo, digestTag(digest));
  } catch (e) {
    if (isOciError(e, 'OCI_MANIFEST_NOT_FOUND')) return undefined;
    throw e;
  }
  if (m.parsed.kind !== 'index')
    throw new OciError(
      'OCI_RESPONSE_INVALID',
      `${repo.registry}/${repo.repository}:${digestTag(digest)} should be the referrers index of ${digest} but is an image manifest.`,
    );
  return m.parsed.manifest;
}

/** Read-modify-write of the fallback index; a descriptor already listed is not added twice. */
async function addToFallbackIndex(
  client: RegistryClient,
  repo: Repository,
  subject: string,
  d: Descriptor,
): Promise<void> {
  const index = (await fallbackIndex(client, repo, subject)) ?? {
    schemaVersion: 2 as const,
    mediaType: MEDIA.ociIndex,
    manifests: [],
  };
  if (index.manifests.some((m) => m.digest === d.digest)) return;
  const next: ImageIndex = {
    ...index,
    mediaType: MEDIA.ociIndex,
    manifests: [...index.manifests, d],
  };
  await client.putManifest(repo, digestTag(subject), manifestBytes(next), MEDIA.ociIndex);
}
