import { computeDigest, type HashAlgorithm } from '../../core/index.js';
import { buildImageTree, type LayerBlob } from './build-tree.js';
import { parseImageConfig } from './image-config.js';
import { imageInvalid } from './image-error.js';
import {
  expectArray,
  expectObject,
  expectString,
  field,
  isObject,
  type JsonObject,
  optionalString,
  parseImageJson,
} from './json-shapes.js';
import type { ContainerImage, ImageReadOptions, Platform } from './model.js';

/** Reads a file of the layout by its path relative to the layout root (`index.json`, `blobs/sha256/…`). */
export type LayoutReader = (
  relPath: string,
) => Uint8Array | undefined | Promise<Uint8Array | undefined>;

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);
const MANIFEST_TYPES = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
]);
const DIGEST_ALGS: Readonly<Record<string, { alg: HashAlgorithm; hexLength: number }>> = {
  sha256: { alg: 'SHA-256', hexLength: 64 },
  sha512: { alg: 'SHA-512', hexLength: 128 },
};
const DOCKER_REFERENCE_TYPE = 'vnd.docker.reference.type';
const REF_NAME = 'org.opencontainers.image.ref.name';
const CONTAINERD_NAME = 'io.containerd.image.name';
const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };
// Nested indexes deeper than this are not something a registry or exporter writes.
const MAX_INDEX_DEPTH = 4;

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: Platform;
  annotations: Record<string, string>;
}

/**
 * Read an OCI image layout (image-spec image-layout.md): `oci-layout`, `index.json`, then the
 * manifest it leads to (through nested indexes, choosing `platform`, default linux/amd64, when
 * there are several; attestation manifests are ignored), its config and layers. Every blob is
 * checked against its digest and size. `digest` is the manifest digest. Untrusted input.
 *
 * @throws SbomError IMAGE_INVALID, IMAGE_PATH_ESCAPE
 */
export async function readImageFromLayout(
  readFile: LayoutReader,
  opts: ImageReadOptions = {},
): Promise<ContainerImage> {
  const marker = await readFile('oci-layout');
  if (!marker || !isOciLayoutMarker(marker)) {
    throw imageInvalid(
      'oci-layout',
      'is missing or has no imageLayoutVersion; this is not an OCI image layout',
    );
  }
  const indexBytes = await readFile('index.json');
  if (!indexBytes) throw imageInvalid('index.json', 'is missing from the OCI image layout');
  const top = descriptorsOf(parseImageJson(indexBytes, 'index.json'), 'index.json');
  const { manifest, names } = await resolveManifest(readFile, top, 'index.json', opts, 0);
  const manifestBytes = await readBlob(readFile, manifest);
  const doc = expectObject(parseImageJson(manifestBytes, blobPath(manifest)), blobPath(manifest));
  const what = blobPath(manifest);
  const configDesc = descriptor(field(doc, 'config'), `${what} config`);
  const configBytes = await readBlob(readFile, configDesc);
  const { config, diffIds } = parseImageConfig(configBytes, blobPath(configDesc));
  const layerDescs = expectArray(field(doc, 'layers'), `${what} layers`).map((d, i) =>
    descriptor(d, `${what} layer ${i}`),
  );
  const blobs: LayerBlob[] = [];
  for (const [i, d] of layerDescs.entries()) {
    const blob: LayerBlob = {
      what: blobPath(d),
      bytes: await readBlob(readFile, d),
      digest: d.digest,
    };
    if (d.mediaType) blob.mediaType = d.mediaType;
    if (diffIds.length === layerDescs.length && diffIds[i]) blob.diffId = diffIds[i];
    blobs.push(blob);
  }
  const { tree, layers } = await buildImageTree(blobs, opts);
  return {
    format: 'oci-layout',
    digest: manifest.digest,
    configDigest: configDesc.digest,
    config,
    repoTags: names,
    layers,
    tree,
  };
}

/** Whether bytes are an `oci-layout` marker file (`{"imageLayoutVersion": "1.0.0"}`). */
export function isOciLayoutMarker(bytes: Uint8Array): boolean {
  try {
    const doc = parseImageJson(bytes, 'oci-layout');
    return isObject(doc) && typeof field(doc, 'imageLayoutVersion') === 'string';
  } catch {
    return false;
  }
}

// Follow index entries down to one image manifest, collecting the names the entries give it.
async function resolveManifest(
  readFile: LayoutReader,
  candidates: Descriptor[],
  what: string,
  opts: ImageReadOptions,
  depth: number,
): Promise<{ manifest: Descriptor; names: string[] }> {
  const chosen = choose(candidates, what, opts, depth === 0);
  const names = namesOf(chosen);
  if (chosen.mediaType && INDEX_TYPES.has(chosen.mediaType)) {
    if (depth >= MAX_INDEX_DEPTH)
      throw imageInvalid(what, `nests image indexes deeper than ${MAX_INDEX_DEPTH}`);
    const bytes = await readBlob(readFile, chosen);
    const nested = descriptorsOf(parseImageJson(bytes, blobPath(chosen)), blobPath(chosen));
    const inner = await resolveManifest(readFile, nested, blobPath(chosen), opts, depth + 1);
    return { manifest: inner.manifest, names: [...names, ...inner.names] };
  }
  if (chosen.mediaType && !MANIFEST_TYPES.has(chosen.mediaType)) {
    throw imageInvalid(
      what,
      `leads to ${chosen.digest} of media type ${chosen.mediaType}, not an image manifest`,
    );
  }
  return { manifest: chosen, names };
}

// One descriptor: by ref name at the top, else the only image, else the requested platform.
function choose(all: Descriptor[], what: string, opts: ImageReadOptions, top: boolean): Descriptor {
  let list = all.filter((d) => !isAttestation(d));
  if (top && opts.ref !== undefined) {
    const ref = opts.ref;
    list = list.filter((d) =>
      namesOf(d).some((n) => n === ref || n.endsWith(`/${ref}`) || n.endsWith(`:${ref}`)),
    );
    if (list.length === 0) throw imageInvalid(what, `has no image named "${ref}"`);
  }
  if (list.length === 1) return list[0] as Descriptor;
  if (list.length === 0) throw imageInvalid(what, 'lists no image manifest');
  const want = opts.platform ?? DEFAULT_PLATFORM;
  const withPlatform = list.filter((d) => d.platform);
  if (withPlatform.length === 0 && top) {
    const names = list.flatMap(namesOf);
    throw imageInvalid(
      what,
      `holds ${list.length} images (${names.join(', ') || 'unnamed'}); choose one with the ref option`,
    );
  }
  const match =
    withPlatform.find((d) => samePlatform(d.platform, want, true)) ??
    withPlatform.find((d) => samePlatform(d.platform, want, false));
  if (!match) {
    const offered = withPlatform.map((d) => platformName(d.platform)).join(', ');
    throw imageInvalid(what, `has no image for ${platformName(want)} (it offers ${offered})`);
  }
  return match;
}

function samePlatform(p: Platform | undefined, want: Platform, strictVariant: boolean): boolean {
  if (!p || p.os !== want.os || p.architecture !== want.architecture) return false;
  return !strictVariant || want.variant === undefined || p.variant === want.variant;
}

function platformName(p: Platform | undefined): string {
  if (!p) return 'unknown';
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

// BuildKit stores provenance/SBOM attestations as extra manifests with platform unknown/unknown.
function isAttestation(d: Descriptor): boolean {
  return (
    d.annotations[DOCKER_REFERENCE_TYPE] === 'attestation-manifest' ||
    (d.platform?.os === 'unknown' && d.platform.architecture === 'unknown')
  );
}

function namesOf(d: Descriptor): string[] {
  const out: string[] = [];
  const containerd = d.annotations[CONTAINERD_NAME];
  if (containerd) out.push(containerd);
  const ref = d.annotations[REF_NAME];
  if (ref && !out.some((n) => n.endsWith(`:${ref}`) || n === ref)) out.push(ref);
  return out;
}

function descriptorsOf(doc: unknown, what: string): Descriptor[] {
  const index = expectObject(doc, what);
  return expectArray(field(index, 'manifests'), `${what} manifests`).map((d, i) =>
    descriptor(d, `${what} manifest ${i}`),
  );
}

function descriptor(v: unknown, what: string): Descriptor {
  const o = expectObject(v, what);
  const d: Descriptor = { digest: expectString(o, 'digest', what), annotations: {} };
  const mediaType = optionalString(o, 'mediaType');
  if (mediaType) d.mediaType = mediaType;
  const size = field(o, 'size');
  if (typeof size === 'number' && Number.isSafeInteger(size) && size >= 0) d.size = size;
  const platform = field(o, 'platform');
  if (isObject(platform)) d.platform = platformOf(platform);
  const annotations = field(o, 'annotations');
  if (isObject(annotations)) {
    for (const [k, x] of Object.entries(annotations))
      if (typeof x === 'string') d.annotations[k] = x;
  }
  return d;
}

function platformOf(o: JsonObject): Platform {
  const p: Platform = {
    os: optionalString(o, 'os') ?? '',
    architecture: optionalString(o, 'architecture') ?? '',
  };
  const variant = optionalString(o, 'variant');
  if (variant) p.variant = variant;
  return p;
}

// The digest is attacker-controlled and becomes a path: only `<alg>:<hex>` of a known algorithm.
function blobPath(d: Descriptor): string {
  const m = /^([a-z0-9]+):([a-f0-9]+)$/.exec(d.digest);
  const alg = m?.[1] ? DIGEST_ALGS[m[1]] : undefined;
  if (!m?.[2] || !alg || m[2].length !== alg.hexLength) {
    throw imageInvalid(
      'index.json',
      `descriptor digest "${d.digest}" is not a sha256 or sha512 digest`,
    );
  }
  return `blobs/${m[1]}/${m[2]}`;
}

async function readBlob(readFile: LayoutReader, d: Descriptor): Promise<Uint8Array> {
  const path = blobPath(d);
  const bytes = await readFile(path);
  if (!bytes) throw imageInvalid(path, 'is referenced but missing from the layout');
  if (d.size !== undefined && bytes.length !== d.size) {
    throw imageInvalid(path, `is ${bytes.length} bytes but its descriptor says ${d.size}`);
  }
  const [algName, hex] = d.digest.split(':');
  const alg = DIGEST_ALGS[algName ?? ''];
  if (alg && computeDigest(alg.alg, bytes) !== hex) {
    throw imageInvalid(path, `does not match its digest ${d.digest}`);
  }
  return bytes;
}
