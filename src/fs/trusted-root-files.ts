import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  emptyTrustedRoot,
  parseTrustedRoot,
  parseTrustedRootJson,
  SignError,
  type TrustedRoot,
  type TrustedRootJson,
} from '../sign/index.js';
import { readBytes } from './bundle-files.js';
import { writeAtomic } from './ca-files.js';

/** The public-good instance's trusted root, shipped in trust/ (two layouts: tsx and dist/). */
const PUBLIC_GOOD_CANDIDATES = [
  '../../trust/public-good.trusted_root.json',
  '../../../trust/public-good.trusted_root.json',
].map((p) => fileURLToPath(new URL(p, import.meta.url)));

/** The trust store, or an empty trusted root when the file does not exist yet. */
export function readTrustStore(path: string): TrustedRootJson {
  if (!existsSync(path)) return emptyTrustedRoot();
  return parseTrustedRootJson(readFileSync(path, 'utf8'));
}

/** `mode` for a new file: 0600 (the data directory's trust store) unless the caller says. */
export function writeTrustStore(path: string, root: TrustedRootJson, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeAtomic(path, `${JSON.stringify(root, null, 2)}\n`, mode);
}

/**
 * Trusted roots named on the command line, or the shipped public-good root when none is.
 * @throws SignError SIGN_INPUT_UNREADABLE, SIGN_TRUSTED_ROOT_INVALID
 */
export function readTrustedRoots(paths: readonly string[], cwd: string): TrustedRoot[] {
  if (paths.length === 0) return [publicGoodTrustedRoot()];
  return paths.map((p) => readTrustedRootFile(p, cwd));
}

/** @throws SignError SIGN_INPUT_UNREADABLE, SIGN_TRUSTED_ROOT_INVALID */
export function readTrustedRootFile(path: string, cwd: string): TrustedRoot {
  const text = readBytes(path, cwd, 'trusted root').toString('utf8');
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

/** Another trusted_root.json in the JSON form the trust store keeps (to merge it in). */
export function readTrustFile(path: string): TrustedRootJson {
  return parseTrustedRootJson(readFileSync(path, 'utf8'));
}
