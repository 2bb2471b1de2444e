import { createPrivateKey, type KeyObject } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { SignError } from '../sign/index.js';

export type CaKeyType = 'ecdsa-p256' | 'ecdsa-p384';

/** Where the CA lives in the data directory. Keys are 0600 in a 0700 folder. */
export function caPaths(dataDir: string) {
  const dir = join(dataDir, 'ca');
  return {
    dir,
    rootKey: join(dir, 'root-key.pem'),
    rootCert: join(dir, 'root.pem'),
    intermediateKey: join(dir, 'intermediate-key.pem'),
    intermediateCert: join(dir, 'intermediate.pem'),
    devOidcKey: join(dir, 'dev-oidc-key.pem'),
    /** The trust store `custody trust` edits and `ca init` adds to. */
    trustedRoot: join(dataDir, 'trusted_root.json'),
  };
}

export type CaPaths = ReturnType<typeof caPaths>;

/** A CA whose intermediate key exists (whether or not its certificate does). */
export function caKeyExists(dataDir: string): boolean {
  return existsSync(caPaths(dataDir).intermediateKey);
}

/** A CA that can issue: the intermediate's certificate and key both exist. */
export function caExists(dataDir: string): boolean {
  const p = caPaths(dataDir);
  return existsSync(p.intermediateCert) && existsSync(p.intermediateKey);
}

/** Writes a new CA's keys (0600) and certificates (DER in, PEM out) into `<dataDir>/ca/`. */
export function writeCaFiles(
  dataDir: string,
  ca: {
    rootKey: KeyObject;
    intermediateKey: KeyObject;
    root: Uint8Array;
    intermediate: Uint8Array;
  },
): void {
  const p = caPaths(dataDir);
  mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  writeSecret(p.rootKey, ca.rootKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  writeSecret(
    p.intermediateKey,
    ca.intermediateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  );
  writeAtomic(p.rootCert, toPem(ca.root));
  writeAtomic(p.intermediateCert, toPem(ca.intermediate));
}

/**
 * The intermediate's key and the chain (intermediate, root) of a data directory's CA.
 * @throws SignError SIGN_KEY_INVALID when there is none (run `custody ca init`) or it is unreadable
 */
export function readCaFiles(dataDir: string): { intermediateKey: KeyObject; chain: Uint8Array[] } {
  const p = caPaths(dataDir);
  if (!existsSync(p.intermediateKey)) {
    throw new SignError('SIGN_KEY_INVALID', `No CA in ${p.dir}: run \`custody ca init\` first.`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(p.intermediateKey));
  } catch (e) {
    throw new SignError('SIGN_KEY_INVALID', `Cannot read the CA key ${p.intermediateKey}.`, {
      cause: e,
    });
  }
  const chain = [p.intermediateCert, p.rootCert].map((f) => fromPem(readFileSync(f, 'utf8')));
  return { intermediateKey: key, chain };
}

/** Loads a private key, creating it on first use with 0600 permissions. */
export function loadOrCreateKey(path: string, create: () => KeyObject): KeyObject {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeSecret(path, create().export({ type: 'pkcs8', format: 'pem' }) as string);
  }
  return createPrivateKey(readFileSync(path));
}

export function toPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

export function fromPem(pem: string): Uint8Array {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  if (!m) throw new SignError('SIGN_KEY_INVALID', 'Not a PEM certificate.');
  return new Uint8Array(Buffer.from((m[1] as string).replace(/\s+/g, ''), 'base64'));
}

/** Reads a PEM file of several certificates (a chain), in file order. */
export function readPemChain(path: string): Uint8Array[] {
  return readFileSync(path, 'utf8')
    .split(/(?=-----BEGIN CERTIFICATE-----)/)
    .filter((s) => s.includes('BEGIN'))
    .map(fromPem);
}

// Written to a temporary name (0600 from the start), then renamed: never a readable partial key.
function writeSecret(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/**
 * Written to a temporary name, then renamed: readers see the old file or the new one. A new file
 * gets `mode` (0600 by default: the data directory's files are its user's alone); a replaced
 * file keeps the mode it had.
 */
export function writeAtomic(path: string, text: string, mode = 0o600): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const keep = existsSync(path) ? statSync(path).mode & 0o777 : mode;
  writeFileSync(tmp, text, { mode: keep });
  chmodSync(tmp, keep);
  renameSync(tmp, path);
}
