import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { CoreError, DEFAULT_JSON_LIMITS } from '../core/index.js';

/**
 * A file given as input (an SBOM, a gate policy), read whole within the JSON size limit.
 * @throws CoreError FILE_NOT_FOUND, FILE_UNREADABLE (not a regular file), INPUT_TOO_LARGE
 */
export function readInputFile(path: string): Buffer {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new CoreError('FILE_NOT_FOUND', `${path} does not exist`, { details: { path } });
  if (!st.isFile()) {
    throw new CoreError('FILE_UNREADABLE', `${path} is not a regular file`, { details: { path } });
  }
  if (st.size > DEFAULT_JSON_LIMITS.maxBytes) {
    throw new CoreError(
      'INPUT_TOO_LARGE',
      `${path} is ${st.size} bytes, over the limit of ${DEFAULT_JSON_LIMITS.maxBytes}`,
      { details: { path, size: st.size } },
    );
  }
  return readFileSync(path);
}

/** What a path to catalog is: its absolute form and whether it is a folder. */
export interface InputPath {
  abs: string;
  isDirectory: boolean;
}

/** @throws CoreError FILE_NOT_FOUND */
export function statInputPath(path: string): InputPath {
  const abs = resolve(path);
  if (!existsSync(abs)) {
    throw new CoreError('FILE_NOT_FOUND', `${path} does not exist`, { details: { path } });
  }
  return { abs, isDirectory: statSync(abs).isDirectory() };
}

/** The first 4 KiB of a file as text: enough for catalogers to sniff its format. */
export function readFileHead(abs: string): string {
  const buf = readFileSync(abs, { flag: 'r' }).subarray(0, 4096);
  return buf.toString('utf8');
}
