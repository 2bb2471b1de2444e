import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import {
  NotationError,
  SignError,
  type TrustStoreFile,
  type TrustStoreType,
} from '../sign/index.js';

/**
 * Notary Project trust stores and trust policies on disk (trust-store-trust-policy "Trust
 * Store"): `<dir>/x509/{ca,signingAuthority,tsa}/<named store>/<certificate files>`.
 */
export interface NotationTrustStoreFiles {
  files: TrustStoreFile[];
  /** Every named store found; a symlinked one carries its problem. */
  stores: { type: TrustStoreType; store: string; problem?: string }[];
  /** Sub-directories inside named stores, ignored as the specification says (it asks for a warning). */
  warnings: string[];
}

const TYPES: readonly TrustStoreType[] = ['ca', 'signingAuthority', 'tsa'];
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_POLICY_BYTES = 1024 * 1024;
const MAX_ENVELOPE_BYTES = 4 * 1024 * 1024;

/**
 * Reads a trust store directory. Symlinks are refused (the specification requires it): a
 * symlinked named store or certificate file makes that store unusable. Every regular file of a
 * named store is read, whatever its extension, as notation-go does.
 * @throws SignError SIGN_INPUT_UNREADABLE when the directory cannot be read
 */
export function readNotationTrustStore(dir: string, cwd: string): NotationTrustStoreFiles {
  const root = isAbsolute(dir) ? dir : resolve(cwd, dir);
  const out: NotationTrustStoreFiles = { files: [], stores: [], warnings: [] };
  if (!isDirectory(root)) throw unreadable(`trust store directory ${dir}`, 'not a directory');
  for (const type of TYPES) {
    const typeDir = join(root, 'x509', type);
    if (!isDirectory(typeDir)) continue;
    for (const store of list(typeDir)) {
      const storeDir = join(typeDir, store);
      const st = lstatSync(storeDir);
      if (st.isSymbolicLink()) {
        out.stores.push({
          type,
          store,
          problem: `the trust store "${store}" of type "${type}" is a symlink (not supported)`,
        });
        continue;
      }
      if (!st.isDirectory()) continue;
      const files: TrustStoreFile[] = [];
      let problem: string | undefined;
      for (const file of list(storeDir)) {
        const p = join(storeDir, file);
        const fst = lstatSync(p);
        if (fst.isSymbolicLink())
          problem = `trusted certificate ${file} in trust store "${store}" of type "${type}" is a symlink (not supported)`;
        else if (fst.isDirectory())
          out.warnings.push(`${type}/${store}/${file} is a directory and is ignored`);
        else if (fst.isFile()) {
          if (fst.size > MAX_FILE_BYTES)
            problem = `trusted certificate ${file} in trust store "${store}" is over ${MAX_FILE_BYTES} bytes`;
          else files.push({ type, store, file, bytes: new Uint8Array(readFileSync(p)) });
        }
      }
      out.stores.push(problem ? { type, store, problem } : { type, store });
      if (!problem) out.files.push(...files);
    }
  }
  return out;
}

/** A trust policy file's bytes (trustpolicy.json / trustpolicy.oci.json); symlinks refused. */
export function readNotationTrustPolicy(path: string, cwd: string): Uint8Array {
  return readRegular(path, cwd, 'trust policy', MAX_POLICY_BYTES);
}

/** A signature envelope file's bytes. */
export function readNotationEnvelope(path: string, cwd: string): Uint8Array {
  return readRegular(path, cwd, 'signature envelope', MAX_ENVELOPE_BYTES);
}

function readRegular(path: string, cwd: string, what: string, max: number): Uint8Array {
  const p = isAbsolute(path) ? path : resolve(cwd, path);
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(p);
  } catch (e) {
    throw unreadable(`${what} ${path}`, (e as Error).message, e);
  }
  if (st.isSymbolicLink() || !st.isFile())
    throw unreadable(`${what} ${path}`, 'not a regular file (symlinks are not supported)');
  if (st.size > max)
    throw new NotationError(
      'SIGN_NOTATION_ENVELOPE_TOO_LARGE',
      `The ${what} ${path} is over ${max} bytes.`,
    );
  try {
    return new Uint8Array(readFileSync(p));
  } catch (e) {
    throw unreadable(`${what} ${path}`, (e as Error).message, e);
  }
}

function isDirectory(p: string): boolean {
  try {
    const st = lstatSync(p);
    return st.isDirectory() && !st.isSymbolicLink();
  } catch {
    return false;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (e) {
    throw unreadable(`trust store directory ${dir}`, (e as Error).message, e);
  }
}

function unreadable(what: string, why: string, cause?: unknown): SignError {
  return new SignError(
    'SIGN_INPUT_UNREADABLE',
    `Cannot read the ${what}: ${why}.`,
    cause ? { cause } : {},
  );
}
