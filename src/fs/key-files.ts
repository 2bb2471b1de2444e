import { createPublicKey, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync } from 'node:fs';
import { CoreError } from '../core/index.js';
import {
  type GeneratedKey,
  generateKey,
  type KeyType,
  loadSigningKey,
  loadVerificationKey,
  SignError,
  type SigningKey,
  type VerificationKey,
} from '../sign/index.js';
import { readBytes, readInput, writeOutput } from './bundle-files.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Where the passphrase of an encrypted key is looked for when no variable is named. */
export const DEFAULT_PASSPHRASE_ENV = 'CUSTODY_KEY_PASSPHRASE';

/**
 * The passphrase from the environment variable the user named (or CUSTODY_KEY_PASSPHRASE). Keys
 * never come from argv, where other users of the machine can read them.
 * @throws SignError SIGN_KEY_INVALID when a named variable is unset or empty
 */
export function passphraseFrom(env: Env, variable: string | undefined): string | undefined {
  if (variable === undefined) {
    const v = env[DEFAULT_PASSPHRASE_ENV];
    return v === '' ? undefined : v;
  }
  const v = env[variable];
  if (v === undefined || v === '') {
    throw new SignError(
      'SIGN_KEY_INVALID',
      `the passphrase variable ${variable} is ${v === undefined ? 'not set' : 'empty'}`,
      { details: { variable } },
    );
  }
  return v;
}

/**
 * Read a private key file, decrypting it with the passphrase from the environment.
 * @throws CoreError FILE_NOT_FOUND, FILE_UNREADABLE; SignError SIGN_KEY_INVALID
 */
export function readSigningKey(path: string, env: Env, passphraseEnv?: string): SigningKey {
  const pem = readInput(path, 'key file');
  try {
    return loadSigningKey(pem, passphraseFrom(env, passphraseEnv));
  } catch (e) {
    throw withPath(e, path);
  }
}

/** @throws CoreError FILE_NOT_FOUND, FILE_UNREADABLE; SignError SIGN_KEY_INVALID */
export function readVerificationKey(path: string): VerificationKey {
  try {
    return loadVerificationKey(readInput(path, 'public key file'));
  } catch (e) {
    throw withPath(e, path);
  }
}

/**
 * Generate a key pair and write it: the private key (mode 0600) at `path`, the public key beside
 * it (`x.key` → `x.pub`, else `<path>.pub`). Existing files are kept unless `force`.
 * @throws SignError SIGN_KEY_INVALID (bad passphrase variable); CoreError USAGE (file exists),
 *   FILE_UNREADABLE (cannot write)
 */
export function writeKeyPair(o: {
  path: string;
  type: KeyType;
  env: Env;
  passphraseEnv?: string;
  force?: boolean;
}): GeneratedKey & { privatePath: string; publicPath: string } {
  const publicPath = publicPathFor(o.path);
  // Checked before writing either, so a refusal leaves no half pair behind.
  for (const p of o.force ? [] : [o.path, publicPath]) {
    if (existsSync(p)) {
      throw new CoreError('USAGE', `${p} exists; pass --force to overwrite it`, {
        details: { path: p },
      });
    }
  }
  const passphrase =
    o.passphraseEnv === undefined ? undefined : passphraseFrom(o.env, o.passphraseEnv);
  const key = generateKey(o.type, passphrase === undefined ? {} : { passphrase });
  const flag = o.force ? 'w' : 'wx';
  writeOutput(o.path, key.privatePem, flag, 0o600);
  // The mode applies only when the file is created; an overwritten one keeps its old mode.
  chmodSync(o.path, 0o600);
  writeOutput(publicPath, key.publicPem, flag, 0o644);
  return { ...key, privatePath: o.path, publicPath };
}

/** `cosign.key` → `cosign.pub`, as cosign names its pair; anything else gets `.pub` appended. */
export function publicPathFor(privatePath: string): string {
  return privatePath.endsWith('.key') ? `${privatePath.slice(0, -4)}.pub` : `${privatePath}.pub`;
}

/**
 * A PEM (or DER SPKI) public key file, for verification.
 * @throws SignError SIGN_INPUT_UNREADABLE, SIGN_KEY_INVALID
 */
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

// The key layer does not know file names; say which file was wrong.
function withPath(e: unknown, path: string): unknown {
  if (e instanceof SignError && !e.message.startsWith(path)) {
    return new SignError(e.code, `${path}: ${e.message}`, {
      cause: e.cause ?? e,
      details: { ...e.details, path },
    });
  }
  return e;
}
