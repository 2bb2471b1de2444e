import { decodeBase64 } from './bytes.js';
import { TlogError } from './errors.js';

/**
 * Shared vocabulary of the entry parsers: kinds, options, digests, and a reader for the fields of
 * an untrusted JSON object whose errors name the offending path.
 */

export type EntryKind =
  | 'hashedrekord'
  | 'dsse'
  | 'sbom'
  | 'vex'
  | 'attestation'
  /** Written by Custody's CA only (entry-emergency.ts); never accepted from a request. */
  | 'emergency-certificate'
  /** Written by the service only (entry-audit-anchor.ts): its audit chain's head. */
  | 'audit-anchor';

export interface ParseEntryOptions {
  /** Largest leaf body (and largest single input string) accepted, in bytes. */
  maxBytes: number;
  /**
   * Largest DSSE envelope, in bytes; default `maxBytes`. Only the envelope's hashes go into the
   * leaf, so it may be far larger than the leaf (Rekor's dsse type takes envelopes as large as
   * its request limit).
   */
  maxEnvelopeBytes?: number;
}

/** Rekor's apiVersion for the hashedrekord and dsse kinds it serves over its v1 API. */
export const REKOR_ENTRY_API_VERSION = '0.0.1';
/** apiVersion of the leaf bodies of Custody's own kinds. */
export const CUSTODY_ENTRY_API_VERSION = 'custody/v1';

export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';
const DIGEST_HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** What a kind's builder hands back: the leaf body before canonicalization, and its subject. */
export interface BuiltEntry {
  kind: EntryKind;
  body: unknown;
  subjectDigest: string;
  /**
   * Other bodies that log the same signature (an ECDSA signature's high-s/low-s twin): the log
   * answers the entry already there if one of them is stored, instead of a new index.
   */
  aliases?: unknown[];
}

// Reads fields of an untrusted JSON object; own properties only, so "__proto__" or "constructor"
// never resolve to inherited values.
export class Obj {
  constructor(
    private readonly value: Record<string, unknown>,
    private readonly path: string,
  ) {}
  has(name: string): boolean {
    return Object.hasOwn(this.value, name);
  }
  get(name: string): unknown {
    return this.has(name) ? this.value[name] : undefined;
  }
  string(name: string): string {
    const v = this.get(name);
    if (typeof v !== 'string') throw malformed(`${this.at(name)} must be a string`);
    return v;
  }
  object(name: string): Obj {
    return asObject(this.get(name), this.at(name));
  }
  array(name: string): unknown[] {
    const v = this.get(name);
    if (!Array.isArray(v)) throw malformed(`${this.at(name)} must be an array`);
    return v;
  }
  private at(name: string): string {
    return this.path === '' ? name : `${this.path}.${name}`;
  }
}

export function asObject(v: unknown, path: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw malformed(`${path || 'the entry'} must be a JSON object`);
  }
  return new Obj(v as Record<string, unknown>, path);
}

export function assertRekorVersion(root: Obj): void {
  const v = root.get('apiVersion');
  if (v !== REKOR_ENTRY_API_VERSION) {
    throw malformed(
      `apiVersion ${JSON.stringify(v)} of kind ${String(root.get('kind'))} is not supported: ` +
        `send apiVersion "${REKOR_ENTRY_API_VERSION}"`,
    );
  }
}

export function digestAlgorithm(v: string, path: string): DigestAlgorithm {
  if (v in DIGEST_HEX_LENGTH) return v as DigestAlgorithm;
  throw malformed(`${path} must be sha256, sha384 or sha512, not ${JSON.stringify(v)}`);
}

export function hexDigest(v: string, algorithm: DigestAlgorithm, path: string): string {
  const len = DIGEST_HEX_LENGTH[algorithm];
  if (v.length !== len || !/^[0-9a-fA-F]*$/.test(v)) {
    throw malformed(`${path} must be ${len} hex digits (a ${algorithm} digest)`);
  }
  return v;
}

export function prefixedDigest(
  v: string,
  path: string,
): { algorithm: DigestAlgorithm; hex: string } {
  const colon = v.indexOf(':');
  if (colon < 0) throw malformed(`${path} must be "<sha256|sha384|sha512>:<hex>"`);
  const algorithm = digestAlgorithm(v.slice(0, colon), path);
  // Typed entries use one spelling, so equal artifacts give equal leaves.
  const hex = hexDigest(v.slice(colon + 1), algorithm, path);
  if (hex !== hex.toLowerCase()) throw malformed(`${path} must be lowercase hex`);
  return { algorithm, hex };
}

export function base64Field(v: string, path: string, opts: ParseEntryOptions): Uint8Array {
  assertSize(v, path, opts);
  const bytes = decodeBase64(v);
  if (bytes === undefined || bytes.length === 0) {
    throw malformed(`${path} must be standard, padded base64 of a non-empty value`);
  }
  return bytes;
}

export function assertSize(v: string, path: string, opts: ParseEntryOptions): void {
  if (v.length > opts.maxBytes) throw tooLarge(path, v.length, opts.maxBytes);
}

export function malformed(message: string): TlogError {
  return new TlogError('TLOG_ENTRY_MALFORMED', `malformed log entry: ${message}`);
}

export function tooLarge(what: string, size: number, max: number): TlogError {
  return new TlogError(
    'TLOG_ENTRY_TOO_LARGE',
    `${what} is ${size} bytes, over this log's limit of ${max}: log a digest of large content ` +
      '(hashedrekord) instead of the content itself',
    { details: { size, max } },
  );
}
