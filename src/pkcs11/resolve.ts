import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pkcs11Uri } from '../sign/index.js';
import { SignError } from '../sign/index.js';

/** Where `module-name=` is looked for: p11-kit's module directories and SoftHSM2's (Debian, Fedora). */
export const MODULE_DIRS = [
  '/usr/lib/x86_64-linux-gnu/pkcs11',
  '/usr/lib/aarch64-linux-gnu/pkcs11',
  '/usr/lib64/pkcs11',
  '/usr/lib/pkcs11',
  '/usr/local/lib/pkcs11',
  '/usr/lib/softhsm',
  '/usr/lib64/softhsm',
];

/**
 * The library to load: `module-path`, else `module-name` found in MODULE_DIRS (as `<name>.so` or
 * `lib<name>.so`), else CUSTODY_PKCS11_MODULE.
 * @throws SignError SIGN_KEY_INVALID when none is given or the name is not found
 */
export function resolveModulePath(
  uri: Pkcs11Uri,
  env: { CUSTODY_PKCS11_MODULE?: string | undefined },
  dirs: readonly string[] = MODULE_DIRS,
): string {
  if (uri.modulePath !== undefined) return uri.modulePath;
  if (uri.moduleName !== undefined) {
    // RFC 7512 §2.3: a name, not a path; a slash would let it reach outside the module directories.
    if (/[/\\]/.test(uri.moduleName) || uri.moduleName.startsWith('.'))
      fail(`module-name=${uri.moduleName} must be a bare name; use module-path= for a path.`);
    const tried = dirs.flatMap((d) =>
      [`${uri.moduleName}.so`, `lib${uri.moduleName}.so`].map((f) => join(d, f)),
    );
    const found = tried.find((p) => existsSync(p));
    if (found === undefined)
      fail(
        `No PKCS#11 module named ${uri.moduleName} in ${dirs.join(', ')}; give module-path= instead.`,
      );
    return found;
  }
  const fromEnv = env.CUSTODY_PKCS11_MODULE;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return fail(
    'The PKCS#11 URI names no module: add module-path=<library.so> (e.g. /usr/lib/softhsm/libsofthsm2.so) or set CUSTODY_PKCS11_MODULE.',
  );
}

/**
 * The user PIN: `pin-value`, else the file `pin-source` names (`file:` URI or absolute path; one
 * trailing newline dropped), else CUSTODY_PKCS11_PIN, else none (tokens with a PIN pad or no login).
 * Commands (`|prog`, as some tools accept) are refused: a URI should not run programs.
 * @throws SignError SIGN_KEY_INVALID when the source is unreadable or of another kind
 */
export function resolvePin(
  uri: Pkcs11Uri,
  env: { CUSTODY_PKCS11_PIN?: string | undefined },
): string | undefined {
  if (uri.pinValue !== undefined) return uri.pinValue;
  if (uri.pinSource !== undefined) {
    const src = uri.pinSource;
    let path: string;
    if (/^file:/i.test(src)) {
      try {
        path = fileURLToPath(src);
      } catch (e) {
        return fail(`pin-source=${src} is not a usable file: URI.`, e);
      }
    } else if (isAbsolute(src)) path = src;
    else
      return fail(
        `pin-source=${src} is not supported: give a file (file:/path or an absolute path).`,
      );
    try {
      return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      return fail(`Cannot read the PIN from ${path}: ${(e as NodeJS.ErrnoException).code}.`, e);
    }
  }
  const fromEnv = env.CUSTODY_PKCS11_PIN;
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

function fail(message: string, cause?: unknown): never {
  throw new SignError('SIGN_KEY_INVALID', message, cause === undefined ? {} : { cause });
}
