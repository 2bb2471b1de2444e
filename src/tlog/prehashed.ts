import type { KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';

/**
 * ECDSA verification over a digest, natively. Node's crypto.verify always hashes what it is
 * given, but a hashedrekord entry carries only the artifact's digest. The optional addon
 * (native/prehashed.cc, built at install) calls the OpenSSL inside Node.js; when it is missing,
 * `nativeVerifyPrehashed` answers undefined and the caller falls back to JavaScript.
 */

interface Addon {
  verify(spki: Uint8Array, digest: Uint8Array, signature: Uint8Array): boolean;
  parseKey(spki: Uint8Array): object | null;
  verifyWith(key: object, digest: Uint8Array, signature: Uint8Array): boolean;
}

function load(): Addon | undefined {
  const require = createRequire(import.meta.url);
  // src/tlog (under tsx) and dist/src/tlog (built) sit two and three levels below the package.
  for (const path of [
    '../../build/Release/custody_prehashed.node',
    '../../../build/Release/custody_prehashed.node',
  ]) {
    try {
      return require(path) as Addon;
    } catch {
      // try the next layout
    }
  }
  return undefined;
}

const addon = load();

/** Whether the native path is in use (reported by the benchmark and /healthz). */
export const NATIVE_PREHASHED = addon !== undefined;

/** Native key handles per KeyObject (entries.ts caches KeyObjects per PEM). */
const handles = new WeakMap<KeyObject, object | null>();

/** true/false when the addon decided; undefined when it is not available. */
export function nativeVerifyPrehashed(
  key: KeyObject,
  digest: Uint8Array,
  signature: Uint8Array,
): boolean | undefined {
  if (addon === undefined) return undefined;
  let handle = handles.get(key);
  if (handle === undefined) {
    handle = addon.parseKey(new Uint8Array(key.export({ format: 'der', type: 'spki' })));
    handles.set(key, handle);
  }
  if (handle === null) return undefined;
  return addon.verifyWith(handle, digest, signature);
}
