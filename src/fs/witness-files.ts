import { createPrivateKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { CoreError } from '../core/index.js';
import { decodeBase64, TlogError } from '../tlog/index.js';
import { writeFileAtomic } from './durable-write.js';

/** A witness's files: its config, its Ed25519 key and its state (the latest cosigned checkpoints). */

/** Per origin: the latest cosigned checkpoint, and the note served to monitors. */
export interface WitnessStoredLog {
  size: number;
  /** base64 */
  rootHash: string;
  note: string;
  updatedAt: number;
}

export interface WitnessStateFile {
  logs: Record<string, WitnessStoredLog>;
}

/** @throws CoreError FILE_NOT_FOUND */
export function readWitnessText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new CoreError('FILE_NOT_FOUND', `cannot read ${path}: ${(e as Error).message}`);
  }
}

/**
 * The witness's private key (PKCS#8 PEM, Ed25519).
 * @throws CoreError FILE_NOT_FOUND; TlogError TLOG_KEY_INVALID for another kind of key
 */
export function readWitnessKey(path: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(readWitnessText(path));
  } catch (e) {
    if (e instanceof CoreError) throw e;
    throw new TlogError('TLOG_KEY_INVALID', `${path} is not a PEM private key`, { cause: e });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new TlogError(
      'TLOG_KEY_INVALID',
      `${path} is a ${key.asymmetricKeyType} key; a witness key is Ed25519`,
    );
  }
  return key;
}

/**
 * Write a new key file, 0600, with the PEM `make` gives; an existing one is never overwritten
 * (checked before `make` runs).
 * @throws CoreError USAGE when `path` exists (`shownAs` is how the user named it)
 */
export function writeNewWitnessKey(path: string, shownAs: string, make: () => string): void {
  if (existsSync(path))
    throw new CoreError('USAGE', `${shownAs} exists; a witness key is never overwritten`);
  writeFileSync(path, make(), { mode: 0o600, flag: 'wx' });
}

/** @throws TlogError TLOG_ARCHIVE_INVALID when the file is not a witness state file */
export function readWitnessState(path: string): WitnessStateFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { logs: {} };
    throw e;
  }
  try {
    const parsed = JSON.parse(text) as WitnessStateFile;
    if (typeof parsed?.logs !== 'object' || parsed.logs === null) throw new Error('no "logs"');
    for (const [origin, l] of Object.entries(parsed.logs)) {
      if (!Number.isSafeInteger(l.size) || decodeBase64(l.rootHash)?.length !== 32) {
        throw new Error(`bad entry for ${origin}`);
      }
    }
    return parsed;
  } catch (e) {
    throw new TlogError('TLOG_ARCHIVE_INVALID', `${path} is not a witness state file`, {
      cause: e,
    });
  }
}

/** Replace the state file atomically and durably: a cosignature must never outlive its state. */
export function writeWitnessState(path: string, state: WitnessStateFile): void {
  writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`);
}
