import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RegistryClient, type Repository, sha256 } from './client.js';
import { OciError } from './errors.js';
import {
  type Descriptor,
  type ImageIndex,
  MANIFEST_MAX_BYTES,
  manifestBytes,
  parseManifest,
} from './manifest.js';
import { MANIFEST_MEDIA_TYPES, MEDIA } from './media-types.js';
import { isSha256Digest } from './reference.js';

/** image-spec image-layout.md: `oci-layout`, `index.json`, `blobs/<alg>/<hex>`. */
export interface OciLayout {
  dir: string;
  index: ImageIndex;
  /** A blob's bytes, checked against its digest (capped at `maxBytes`). */
  blob(digest: string, maxBytes?: number): Uint8Array;
  has(digest: string): boolean;
}

const BLOB_MAX = 512 * 1024 * 1024;

/**
 * Open an OCI image layout directory (untrusted: every blob read is hashed).
 * @throws OciError OCI_LAYOUT_INVALID, OCI_MANIFEST_INVALID
 */
export function readOciLayout(dir: string): OciLayout {
  const layoutFile = join(dir, 'oci-layout');
  let version: unknown;
  try {
    version = (JSON.parse(readFileSync(layoutFile, 'utf8')) as { imageLayoutVersion?: unknown })
      .imageLayoutVersion;
  } catch (e) {
    throw new OciError(
      'OCI_LAYOUT_INVALID',
      `${dir} is not an OCI image layout: its oci-layout file is missing or not JSON.`,
      { cause: e },
    );
  }
  if (typeof version !== 'string' || !version.startsWith('1.'))
    throw new OciError(
      'OCI_LAYOUT_INVALID',
      `${dir}: imageLayoutVersion ${String(version)} is not 1.x.`,
    );
  let indexBytes: Uint8Array;
  try {
    const path = join(dir, 'index.json');
    if (statSync(path).size > MANIFEST_MAX_BYTES) throw new Error('index.json is over 4 MiB');
    indexBytes = readFileSync(path);
  } catch (e) {
    throw new OciError('OCI_LAYOUT_INVALID', `${dir} has no readable index.json.`, { cause: e });
  }
  const parsed = parseManifest(indexBytes, MEDIA.ociIndex);
  if (parsed.kind !== 'index')
    throw new OciError('OCI_LAYOUT_INVALID', `${dir}/index.json is not an image index.`);
  const path = (digest: string) => {
    if (!isSha256Digest(digest))
      throw new OciError('OCI_LAYOUT_INVALID', `${digest} is not a sha256 digest.`);
    return join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
  };
  return {
    dir,
    index: parsed.manifest,
    has: (digest) => existsSync(path(digest)),
    blob(digest, maxBytes = BLOB_MAX) {
      const p = path(digest);
      let bytes: Uint8Array;
      try {
        if (statSync(p).size > maxBytes)
          throw new OciError('OCI_LAYOUT_INVALID', `${p} is over ${maxBytes} bytes.`);
        bytes = readFileSync(p);
      } catch (e) {
        if (e instanceof OciError) throw e;
        throw new OciError('OCI_LAYOUT_INVALID', `${dir} lacks the blob ${digest}.`, {
          cause: e,
          details: { digest },
        });
      }
      const computed = sha256(bytes);
      if (computed !== digest)
        throw new OciError('OCI_DIGEST_MISMATCH', `${p} holds bytes whose digest is ${computed}.`, {
          details: { expected: digest, computed },
        });
      return bytes;
    },
  };
}

/**
 * Write an OCI image layout: the blobs (content-addressed, each written once) and index.json
 * listing `manifests`. Files are written whole (temp file, rename).
 */
export function writeOciLayout(
  dir: string,
  blobs: Iterable<Uint8Array>,
  manifests: Descriptor[],
): void {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  atomicWrite(join(dir, 'oci-layout'), new TextEncoder().encode('{"imageLayoutVersion":"1.0.0"}'));
  for (const b of blobs) {
    const p = join(dir, 'blobs', 'sha256', sha256(b).slice('sha256:'.length));
    if (!existsSync(p)) atomicWrite(p, b);
  }
  const index: ImageIndex = { schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests };
  atomicWrite(join(dir, 'index.json'), manifestBytes(index));
}

/**
 * Push what a layout's index.json entry names (an image manifest, or an index with its
 * manifests, depth first) to a repository, blobs before the manifests that need them, then tag
 * it. Which entry: the one whose `org.opencontainers.image.ref.name` is `pick`, else the first.
 * @throws OciError OCI_LAYOUT_INVALID, OCI_DIGEST_MISMATCH, and what the registry refuses
 */
export async function pushOciLayout(
  client: RegistryClient,
  layout: OciLayout,
  repo: Repository,
  tag: string | undefined,
  pick?: string,
): Promise<Descriptor> {
  const entry =
    (pick !== undefined
      ? layout.index.manifests.find(
          (m) => m.annotations?.['org.opencontainers.image.ref.name'] === pick,
        )
      : undefined) ?? layout.index.manifests[0];
  if (entry === undefined)
    throw new OciError('OCI_LAYOUT_INVALID', `${layout.dir}/index.json lists no manifest.`);
  await pushManifestTree(client, layout, repo, entry, 0);
  if (tag !== undefined) {
    const bytes = layout.blob(entry.digest, MANIFEST_MAX_BYTES);
    await client.putManifest(repo, tag, bytes, entry.mediaType);
  }
  return { mediaType: entry.mediaType, digest: entry.digest, size: entry.size };
}

async function pushManifestTree(
  client: RegistryClient,
  layout: OciLayout,
  repo: Repository,
  d: Descriptor,
  depth: number,
): Promise<void> {
  if (depth > 8)
    throw new OciError('OCI_LAYOUT_INVALID', `${layout.dir}: indexes nest deeper than 8.`);
  if (!MANIFEST_MEDIA_TYPES.has(d.mediaType))
    throw new OciError(
      'OCI_LAYOUT_INVALID',
      `${d.digest} is a ${d.mediaType}, not a manifest or index.`,
    );
  const bytes = layout.blob(d.digest, MANIFEST_MAX_BYTES);
  const parsed = parseManifest(bytes, d.mediaType);
  if (parsed.kind === 'index') {
    for (const child of parsed.manifest.manifests)
      await pushManifestTree(client, layout, repo, child, depth + 1);
  } else {
    const m = parsed.manifest;
    for (const blob of [m.config, ...m.layers]) {
      if (await client.hasBlob(repo, blob.digest)) continue;
      await client.pushBlob(repo, layout.blob(blob.digest), blob.mediaType);
    }
  }
  await client.putManifest(repo, d.digest, bytes, d.mediaType);
}

function atomicWrite(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

/** The `kind` annotations `cosign save` writes on a layout's index.json entries. */
const COSIGN_KIND = {
  image: 'dev.cosignproject.cosign/image',
  imageIndex: 'dev.cosignproject.cosign/imageIndex',
  sigs: 'dev.cosignproject.cosign/sigs',
  atts: 'dev.cosignproject.cosign/atts',
} as const;

export interface CosignLayout {
  /** The signed image (manifest or index) the layout carries. */
  image: Descriptor;
  /** cosign's signature and attestation manifests (what `.sig` and `.att` hold in a registry). */
  signatures?: Descriptor;
  attestations?: Descriptor;
}

/**
 * What `cosign save` wrote into an OCI layout, found the way `cosign verify --local-image` finds
 * it: index.json entries annotated `kind: dev.cosignproject.cosign/{image,imageIndex,sigs,atts}`.
 * @throws OciError OCI_LAYOUT_INVALID when no entry is the image
 */
export function readCosignLayout(layout: OciLayout): CosignLayout {
  const byKind = (k: string) => layout.index.manifests.find((m) => m.annotations?.['kind'] === k);
  const image = byKind(COSIGN_KIND.imageIndex) ?? byKind(COSIGN_KIND.image);
  if (image === undefined)
    throw new OciError(
      'OCI_LAYOUT_INVALID',
      `${layout.dir} is not a layout cosign saved: no entry has kind ${COSIGN_KIND.image}.`,
    );
  const signatures = byKind(COSIGN_KIND.sigs);
  const attestations = byKind(COSIGN_KIND.atts);
  return {
    image,
    ...(signatures !== undefined ? { signatures } : {}),
    ...(attestations !== undefined ? { attestations } : {}),
  };
}
