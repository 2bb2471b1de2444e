import { CustodyError, parseJson } from '../../core/index.js';
import { imageInvalid } from './image-error.js';

export type JsonObject = { readonly [key: string]: unknown };

// Manifests, indexes and configs are small; 32 MiB is far above any real one.
const JSON_LIMITS = { maxBytes: 32 * 1024 * 1024, maxDepth: 64 };

/**
 * Parse an image metadata document (index, manifest, config, manifest.json). Untrusted.
 * @throws SbomError IMAGE_INVALID
 */
export function parseImageJson(bytes: Uint8Array, what: string): unknown {
  try {
    return parseJson(bytes, what, JSON_LIMITS);
  } catch (cause) {
    const message = cause instanceof CustodyError ? cause.message : String(cause);
    throw imageInvalid(what, `is not valid JSON (${message})`, cause);
  }
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function expectObject(v: unknown, what: string): JsonObject {
  if (!isObject(v)) throw imageInvalid(what, 'must be a JSON object');
  return v;
}

export function expectArray(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw imageInvalid(what, 'must be a JSON array');
  return v;
}

export function optionalString(o: JsonObject, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

export function expectString(o: JsonObject, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw imageInvalid(what, `needs a "${key}" string`);
  return v;
}

export function stringArray(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

export function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(v)) return out;
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/** `o[key]`; named so reads of index-signature objects stay explicit. */
export function field(o: JsonObject, key: string): unknown {
  return o[key];
}
