import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadSigningKey, SignError, type SigningKey } from '../sign/index.js';

/**
 * The service's VEX-signing key: read from `path` (unencrypted PKCS#8 PEM, ECDSA P-256), or
 * created there on first start with permissions 0600 in a 0700 directory, as the log key is.
 * ECDSA because a message signature over a document must verify from its SHA-256 digest (the
 * log's hashedrekord entry holds only the digest; Ed25519 cannot).
 * @throws SignError SIGN_KEY_INVALID when the file holds no usable key
 */
export function loadOrCreateVexKey(path: string): SigningKey {
  if (!existsSync(path)) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
      flag: 'wx',
    });
    chmodSync(path, 0o600);
  }
  try {
    const key = loadSigningKey(readFileSync(path));
    if (key.type === 'ed25519') throw new Error('an Ed25519 key');
    return key;
  } catch (e) {
    throw new SignError(
      'SIGN_KEY_INVALID',
      `Cannot use the VEX-signing key ${path}: it must be an unencrypted PKCS#8 PEM ECDSA or RSA private key (delete it to have a new one made).`,
      { cause: e },
    );
  }
}
