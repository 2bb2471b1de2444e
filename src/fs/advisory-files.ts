import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CoreError } from '../core/index.js';
import { readInputFile } from './sbom-input-files.js';

/**
 * The advisory files under the given paths: a file as given (whatever its name), a folder walked
 * recursively for `*.json` (symbolic links inside folders are not followed), sorted so that every
 * run reads them in the same order.
 * @throws CoreError FILE_NOT_FOUND
 */
export function listAdvisoryFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) throw new CoreError('FILE_NOT_FOUND', `${path} does not exist`, { details: { path } });
    if (st.isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

function walk(dir: string, out: string[]): void {
  const names = readdirSync(dir).sort();
  for (const name of names) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (st.isFile() && name.endsWith('.json')) out.push(p);
  }
}

/**
 * One advisory file's bytes (within the input size limit).
 * @throws CoreError FILE_NOT_FOUND, FILE_UNREADABLE, INPUT_TOO_LARGE
 */
export function readAdvisoryFile(path: string): Buffer {
  return readInputFile(path);
}

/**
 * A data file (KEV catalogue, EPSS scores) read whole; gzip (FIRST ships EPSS as `.csv.gz`) is
 * unpacked, up to the same limit.
 * @throws CoreError FILE_NOT_FOUND, FILE_UNREADABLE, INPUT_TOO_LARGE
 */
export function readDataFile(path: string): Buffer {
  const bytes = readInputFile(path);
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: 512 * 1024 * 1024 });
  } catch (cause) {
    throw new CoreError(
      'FILE_UNREADABLE',
      `${path} is gzip but does not unpack: ${(cause as Error).message}`,
      {
        cause,
        details: { path },
      },
    );
  }
}
