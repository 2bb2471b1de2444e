import { OciError } from './errors.js';
import { isSha256Digest } from './reference.js';

/** image-spec descriptor.md. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  urls?: string[];
  platform?: { architecture: string; os: string; variant?: string };
  data?: string;
}

/** An image manifest (OCI or Docker schema 2; same shape). */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** An image index (OCI) or manifest list (Docker). */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export type ParsedManifest =
  | { kind: 'manifest'; manifest: ImageManifest }
  | { kind: 'index'; manifest: ImageIndex };

/** The spec's guidance: registries should accept manifests of at least 4 MiB; Custody reads no more. */
export const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;
/** A manifest listing more than this many descriptors is not one Custody reads. */
const DESCRIPTORS_MAX = 10_000;
const ANNOTATIONS_MAX = 1_000;

/**
 * Parse (untrusted) manifest bytes: an image manifest or an index, checked field by field.
 * `mediaType` is the Content-Type the bytes came with, if any; when the document names its own
 * media type the two must agree (image-spec: the field is what a client goes by).
 * @throws OciError OCI_MANIFEST_INVALID, OCI_RESPONSE_TOO_LARGE
 */
export function parseManifest(bytes: Uint8Array, mediaType?: string): ParsedManifest {
  if (bytes.byteLength > MANIFEST_MAX_BYTES)
    throw new OciError(
      'OCI_RESPONSE_TOO_LARGE',
      `a manifest of ${bytes.byteLength} bytes is over the ${MANIFEST_MAX_BYTES}-byte cap`,
    );
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw bad('it is not JSON', e);
  }
  if (!isObject(doc)) throw bad('it is not a JSON object');
  if (doc['schemaVersion'] !== 2) throw bad('schemaVersion is not 2');
  const own = optionalString(doc, 'mediaType');
  const type = own ?? contentType(mediaType);
  const artifactType = optionalString(doc, 'artifactType');
  const annotations = stringMap(doc['annotations'], 'annotations');
  const subject = doc['subject'] === undefined ? undefined : descriptor(doc['subject'], 'subject');
  const common = {
    ...(own !== undefined ? { mediaType: own } : {}),
    ...(artifactType !== undefined ? { artifactType } : {}),
    ...(subject !== undefined ? { subject } : {}),
    ...(annotations !== undefined ? { annotations } : {}),
  };
  const isIndex =
    type === 'application/vnd.oci.image.index.v1+json' ||
    type === 'application/vnd.docker.distribution.manifest.list.v2+json' ||
    (type === undefined && Array.isArray(doc['manifests']) && doc['config'] === undefined);
  if (isIndex) {
    if (doc['config'] !== undefined || doc['layers'] !== undefined)
      throw bad('an index has no config or layers');
    return {
      kind: 'index',
      manifest: {
        schemaVersion: 2,
        manifests: descriptors(doc['manifests'], 'manifests'),
        ...common,
      },
    };
  }
  if (
    type !== undefined &&
    type !== 'application/vnd.oci.image.manifest.v1+json' &&
    type !== 'application/vnd.docker.distribution.manifest.v2+json'
  )
    throw bad(`media type ${type} is not an image manifest or index`);
  if (doc['manifests'] !== undefined) throw bad('an image manifest has no manifests list');
  return {
    kind: 'manifest',
    manifest: {
      schemaVersion: 2,
      config: descriptor(doc['config'], 'config'),
      layers: descriptors(doc['layers'] ?? [], 'layers'),
      ...common,
    },
  };
}

/**
 * A descriptor, checked: sha256 digest, whole non-negative size, media type present.
 * @throws OciError OCI_MANIFEST_INVALID
 */
export function descriptor(v: unknown, where: string): Descriptor {
  if (!isObject(v)) throw bad(`${where} is not a descriptor object`);
  const mediaType = v['mediaType'];
  const digest = v['digest'];
  const size = v['size'];
  if (typeof mediaType !== 'string' || mediaType === '' || mediaType.length > 255)
    throw bad(`${where}.mediaType is missing`);
  if (typeof digest !== 'string' || !isSha256Digest(digest))
    throw bad(`${where}.digest is not a sha256 digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw bad(`${where}.size is not a whole number of bytes`);
  const out: Descriptor = { mediaType, digest, size };
  const artifactType = optionalString(v, 'artifactType');
  if (artifactType !== undefined) out.artifactType = artifactType;
  const annotations = stringMap(v['annotations'], `${where}.annotations`);
  if (annotations !== undefined) out.annotations = annotations;
  if (Array.isArray(v['urls']))
    out.urls = v['urls'].filter((u): u is string => typeof u === 'string');
  const p = v['platform'];
  if (isObject(p) && typeof p['architecture'] === 'string' && typeof p['os'] === 'string')
    out.platform = {
      architecture: p['architecture'],
      os: p['os'],
      ...(typeof p['variant'] === 'string' ? { variant: p['variant'] } : {}),
    };
  if (typeof v['data'] === 'string') out.data = v['data'];
  return out;
}

function descriptors(v: unknown, where: string): Descriptor[] {
  if (!Array.isArray(v)) throw bad(`${where} is not a list`);
  if (v.length > DESCRIPTORS_MAX)
    throw bad(`${where} lists more than ${DESCRIPTORS_MAX} descriptors`);
  return v.map((d, i) => descriptor(d, `${where}[${i}]`));
}

function stringMap(v: unknown, where: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw bad(`${where} is not an object of strings`);
  const entries = Object.entries(v);
  if (entries.length > ANNOTATIONS_MAX)
    throw bad(`${where} has more than ${ANNOTATIONS_MAX} entries`);
  const out: Record<string, string> = {};
  for (const [k, s] of entries) {
    if (typeof s !== 'string') throw bad(`${where}.${k} is not a string`);
    out[k] = s;
  }
  return out;
}

function optionalString(o: Record<string, unknown>, k: string): string | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw bad(`${k} is not a string`);
  return v;
}

// "application/vnd.oci.image.manifest.v1+json; charset=utf-8" → the type alone.
function contentType(v: string | undefined): string | undefined {
  const t = v?.split(';')[0]?.trim().toLowerCase();
  return t === undefined || t === '' || t === 'application/json' || t === 'application/octet-stream'
    ? undefined
    : t;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(why: string, cause?: unknown): OciError {
  return new OciError('OCI_MANIFEST_INVALID', `The manifest is malformed: ${why}.`, {
    ...(cause !== undefined ? { cause } : {}),
  });
}

/** Canonical bytes for a manifest Custody writes (it is pushed and hashed as exactly these). */
export function manifestBytes(m: ImageManifest | ImageIndex): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(m));
}
