import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { CoreError } from '../core/index.js';
import { type ArtifactInput, SignError } from '../sign/index.js';

/*
 * The files signing reads and writes, and the ones `custody verify-bundle` (and `verify`,
 * `verify-attestation`) read. A SignError thrown by the verify readers means the input could not
 * be read at all, as opposed to read and found not to verify: callers map the two phases to
 * different exit codes.
 */

/** @throws CoreError FILE_NOT_FOUND, FILE_UNREADABLE */
export function readInput(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new CoreError('FILE_NOT_FOUND', `${what} ${path} does not exist`, {
        details: { path },
      });
    }
    throw new CoreError('FILE_UNREADABLE', `cannot read ${what} ${path}: ${(e as Error).message}`, {
      cause: e,
      details: { path },
    });
  }
}

/** @throws CoreError USAGE (exists and flag is wx), FILE_UNREADABLE */
export function writeOutput(path: string, data: string, flag = 'w', mode = 0o644): void {
  try {
    writeFileSync(path, data, { flag, mode });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CoreError('USAGE', `${path} exists; pass --force to overwrite it`, {
        details: { path },
      });
    }
    throw new CoreError('FILE_UNREADABLE', `cannot write ${path}: ${(e as Error).message}`, {
      cause: e,
      details: { path },
    });
  }
}

/**
 * A bundle file's JSON value (structure is checked by the verifier).
 * @throws SignError SIGN_INPUT_UNREADABLE, SIGN_BUNDLE_MALFORMED
 */
export function readBundleFile(path: string, cwd: string): unknown {
  const text = readBytes(path, cwd, 'bundle').toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SignError(
      'SIGN_BUNDLE_MALFORMED',
      `Bundle ${path} is not JSON: ${(e as Error).message}.`,
      {
        cause: e,
      },
    );
  }
}

/**
 * The artifact argument: `sha256:<64 hex>` is a digest unless a file of that name exists (the
 * conformance harness's rule), anything else a file to read.
 * @throws SignError SIGN_INPUT_UNREADABLE
 */
export function readArtifactArg(arg: string, cwd: string): ArtifactInput {
  const hex = /^sha256:([0-9a-fA-F]{64})$/.exec(arg)?.[1];
  if (hex !== undefined && !existsSync(resolve(cwd, arg))) {
    return { digest: { algorithm: 'sha256', hex: hex.toLowerCase() } };
  }
  return { data: new Uint8Array(readBytes(arg, cwd, 'artifact')) };
}

/** @throws SignError SIGN_INPUT_UNREADABLE */
export function readBytes(path: string, cwd: string, what: string): Buffer {
  try {
    return readFileSync(isAbsolute(path) ? path : resolve(cwd, path));
  } catch (e) {
    throw new SignError(
      'SIGN_INPUT_UNREADABLE',
      `Cannot read the ${what} ${path}: ${(e as Error).message}.`,
      {
        cause: e,
      },
    );
  }
}
