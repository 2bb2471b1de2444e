import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SerializedBundle } from '@sigstore/bundle';
import { writeFileAtomic } from '../../fs/durable-write.js';
import { LogLaterError } from './errors.js';

/**
 * The spool of `custody sign --log-later`: one JSON file per signature the log could not take,
 * holding everything `custody log upload` needs to log it and to complete what was written then
 * (the bundle file, or the registry's signature and referrer). A file is removed only once its
 * signature is logged and everything it names is completed, so an interrupted upload resumes.
 */

/** Where the completed bundle goes once the signature is logged. */
export type SpoolTarget =
  /** A bundle file written by `custody sign -o`: rewritten with the log entry. */
  | { kind: 'file'; bundlePath: string }
  /**
   * An image signature: `role` 'sig' is the cosign `.sig` layer (its simple-signing payload is
   * `payload`, base64), which gets cosign's bundle annotation; 'referrer' is the Sigstore-bundle
   * referrer, pushed again complete.
   */
  | {
      kind: 'image';
      /** `registry/repository@sha256:…` */
      image: string;
      role: 'sig' | 'referrer';
      /** The referrer's predicate type (role 'referrer'). */
      predicateType?: string;
      /** The referrer manifest written unlogged (role 'referrer'), for the record. */
      referrer?: string;
      /** The bundle file `custody sign -o` wrote too (role 'referrer'): rewritten as well. */
      bundlePath?: string;
    };

/** What a spool file holds (version 1). */
export interface SpoolEntry {
  version: 1;
  /** sha256 of the signature (hex): the file's name, so a signature is spooled once. */
  id: string;
  /**
   * 'log': not logged anywhere yet (the log was down). 'public': logged in the private Custody
   * log standing in for the preferred public log; the public entry is still to be made.
   */
  pending: 'log' | 'public';
  createdAt: string;
  /** The Custody server whose log takes it (or the public log, for 'public'). */
  logUrl: string;
  /** The PEM public key the log entry names (the bundle itself carries only the key's hint). */
  publicKey: string;
  /** The bundle as written, without the entry still to come. */
  bundle: SerializedBundle;
  target: SpoolTarget;
  /** Why it was spooled (the log's failure). */
  reason: string;
}

const MAX_SPOOL_FILE = 16 << 20;

/** The spool folder: `--spool`, else `<CUSTODY_DATA_DIR>/log-later`, else `~/.custody/log-later`. */
export function spoolDir(
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  if (explicit !== undefined) return explicit;
  if (env['CUSTODY_DATA_DIR']) return join(env['CUSTODY_DATA_DIR'], 'log-later');
  return join(env['HOME'] ?? '.', '.custody', 'log-later');
}

/** The id of a signature: sha256 of its signature bytes and what they sign. */
export function signatureId(bundle: SerializedBundle): string {
  const h = createHash('sha256');
  const ms = bundle.messageSignature;
  if (ms !== undefined) h.update(`m:${ms.signature}:${ms.messageDigest?.digest ?? ''}`);
  const d = bundle.dsseEnvelope;
  if (d !== undefined) h.update(`d:${d.payload}:${d.signatures.map((s) => s.sig).join(',')}`);
  return h.digest('hex');
}

/** Writes (or replaces) one entry, atomically. Returns its path. */
export function writeSpoolEntry(dir: string, e: SpoolEntry): string {
  const suffix = e.pending === 'public' ? '.public.json' : '.json';
  const roleTag = e.target.kind === 'image' ? `.${e.target.role}` : '';
  const path = join(dir, `${e.id}${roleTag}${suffix}`);
  writeFileAtomic(path, `${JSON.stringify(e, null, 2)}\n`);
  return path;
}

export interface SpoolFile {
  path: string;
  /** Undefined when the file is not a spool entry; `error` says why. */
  entry?: SpoolEntry;
  error?: LogLaterError;
}

/** Every entry in the folder (none when it does not exist), oldest first by name order of time. */
export function readSpool(dir: string): SpoolFile[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const files = names.sort().map((n) => readOne(join(dir, n)));
  return files.sort((a, b) => (a.entry?.createdAt ?? '').localeCompare(b.entry?.createdAt ?? ''));
}

/** Removes an entry once everything it names is completed. */
export function removeSpoolEntry(path: string): void {
  rmSync(path, { force: true });
}

function readOne(path: string): SpoolFile {
  try {
    const text = readFileSync(path);
    if (text.length > MAX_SPOOL_FILE) throw new Error(`larger than ${MAX_SPOOL_FILE} bytes`);
    return { path, entry: parseSpoolEntry(JSON.parse(text.toString('utf8'))) };
  } catch (e) {
    return {
      path,
      error:
        e instanceof LogLaterError
          ? e
          : new LogLaterError(
              'LOG_LATER_SPOOL_INVALID',
              `${path} is not a spooled signature: ${(e as Error).message}`,
              { details: { path } },
            ),
    };
  }
}

/**
 * A spool file's JSON, checked (the folder is the user's: a file may be damaged or edited).
 * @throws LogLaterError LOG_LATER_SPOOL_INVALID
 */
export function parseSpoolEntry(v: unknown): SpoolEntry {
  const bad = (why: string) =>
    new LogLaterError('LOG_LATER_SPOOL_INVALID', `not a spooled signature: ${why}`);
  if (typeof v !== 'object' || v === null) throw bad('not an object');
  const o = v as Record<string, unknown>;
  if (o['version'] !== 1) throw bad(`version ${JSON.stringify(o['version'])}`);
  for (const k of ['id', 'createdAt', 'logUrl', 'publicKey', 'reason'] as const)
    if (typeof o[k] !== 'string') throw bad(`${k} is not a string`);
  if (!/^[0-9a-f]{64}$/.test(o['id'] as string)) throw bad('id is not a sha256');
  if (o['pending'] !== 'log' && o['pending'] !== 'public') throw bad('pending is log or public');
  if (!/^https?:\/\//.test(o['logUrl'] as string)) throw bad('logUrl is not http(s)');
  const bundle = o['bundle'] as Record<string, unknown> | null;
  if (typeof bundle !== 'object' || bundle === null || typeof bundle['mediaType'] !== 'string')
    throw bad('bundle is not a Sigstore bundle');
  let id: string;
  try {
    id = signatureId(bundle as unknown as SerializedBundle);
  } catch {
    throw bad('bundle is not a Sigstore bundle');
  }
  if (id !== o['id']) throw bad('id does not match the bundle’s signature');
  const t = o['target'] as Record<string, unknown> | null;
  if (typeof t !== 'object' || t === null) throw bad('no target');
  if (t['kind'] === 'file') {
    if (typeof t['bundlePath'] !== 'string') throw bad('target.bundlePath is not a string');
  } else if (t['kind'] === 'image') {
    if (typeof t['image'] !== 'string' || !/@sha256:[0-9a-f]{64}$/.test(t['image']))
      throw bad('target.image is not registry/repository@sha256:…');
    if (t['role'] !== 'sig' && t['role'] !== 'referrer')
      throw bad('target.role is sig or referrer');
  } else throw bad('target.kind is file or image');
  return v as SpoolEntry;
}
