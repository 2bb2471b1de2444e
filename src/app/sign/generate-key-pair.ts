import { type Env, writeKeyPair } from '../../fs/key-files.js';
import { type GeneratedKey, parseKeyType } from '../../sign/index.js';

/**
 * `custody keys generate`: a key pair of the named type, written as PKCS#8 PEM (the private key
 * 0600, encrypted when `passphraseEnv` names a variable holding the passphrase).
 * @throws SignError SIGN_KEY_INVALID (type, passphrase variable); CoreError USAGE (file exists),
 *   FILE_UNREADABLE (cannot write)
 */
export function generateKeyPairFiles(o: {
  path: string;
  type: string;
  env: Env;
  passphraseEnv?: string;
  force?: boolean;
}): GeneratedKey & { privatePath: string; publicPath: string } {
  return writeKeyPair({
    path: o.path,
    type: parseKeyType(o.type),
    env: o.env,
    ...(o.passphraseEnv !== undefined ? { passphraseEnv: o.passphraseEnv } : {}),
    ...(o.force ? { force: true } : {}),
  });
}
