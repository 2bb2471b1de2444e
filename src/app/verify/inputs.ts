import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignError } from '../../sign/errors.js';
import { parseTrustedRoot, type TrustedRoot } from '../../sign/trusted-root.js';
import type { ArtifactInput } from '../../sign/verify/index.js';

/*
 * The files `custody verify-bundle` (and `verify`, `verify-attestation`) read. A SignError thrown
 * here means the input could not be read at all, as opposed to read and found not to verify:
 * callers map the two phases to different exit codes.
 */

/** The public-good instance's trusted root, shipped in trust/ (two layouts: tsx and dist/). */
const PUBLIC_GOOD_CANDIDATES = [
  '../../../trust/public-good.trusted_root.json',
  '../../../../trust/public-good.trusted_root.json',
].map((p) => fileURLToPath(new URL(p, import.meta.url)));

/** A bundle file's JSON value (structure is checked by the verifier). */
export function readBundleFile(path: string, cwd: string): unknown {
  const text = readText(path, cwd, 'bundle');
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

/** Trusted roots named on the command line, or the shipped public-good root when none is. */
export function readTrustedRoots(paths: readonly string[], cwd: string): TrustedRoot[] {
  if (paths.length === 0) return [publicGoodTrustedRoot()];
  return paths.map((p) => readTrustedRootFile(p, cwd));
}

export function readTrustedRootFile(path: string, cwd: string): TrustedRoot {
  const text = readText(path, cwd, 'trusted root');
  try {
    return parseTrustedRoot(JSON.parse(text));
  } catch (e) {
    if (e instanceof SignError) throw new SignError(e.code, `${path}: ${e.message}`, { cause: e });
    throw new SignError('SIGN_TRUSTED_ROOT_INVALID', `Trusted root ${path} is not JSON.`, {
      cause: e,
    });
  }
}

let publicGood: TrustedRoot | undefined;

export function publicGoodTrustedRoot(): TrustedRoot {
  if (publicGood === undefined) {
    const path = PUBLIC_GOOD_CANDIDATES.find((p) => existsSync(p));
    if (path === undefined) {
      throw new SignError(
        'SIGN_TRUSTED_ROOT_INVALID',
        'The shipped public-good trusted root is missing.',
      );
    }
    publicGood = readTrustedRootFile(path, '/');
  }
  return publicGood;
}

/** A PEM (or DER SPKI) public key file. */
export function readPublicKeyFile(path: string, cwd: string): KeyObject {
  const bytes = readBytes(path, cwd, 'public key');
  try {
    const text = bytes.toString('utf8');
    return text.includes('-----BEGIN')
      ? createPublicKey(text)
      : createPublicKey({ key: bytes, format: 'der', type: 'spki' });
  } catch (e) {
    throw new SignError(
      'SIGN_KEY_INVALID',
      `${path} is not a public key: ${(e as Error).message}.`,
      {
        cause: e,
      },
    );
  }
}

/**
 * The artifact argument: `sha256:<64 hex>` is a digest unless a file of that name exists (the
 * conformance harness's rule), anything else a file to read.
 */
export function readArtifactArg(arg: string, cwd: string): ArtifactInput {
  const hex = /^sha256:([0-9a-fA-F]{64})$/.exec(arg)?.[1];
  if (hex !== undefined && !existsSync(resolve(cwd, arg))) {
    return { digest: { algorithm: 'sha256', hex: hex.toLowerCase() } };
  }
  return { data: new Uint8Array(readBytes(arg, cwd, 'artifact')) };
}

function readText(path: string, cwd: string, what: string): string {
  return readBytes(path, cwd, what).toString('utf8');
}

function readBytes(path: string, cwd: string, what: string): Buffer {
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
