import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { TlogError } from '../tlog/index.js';

export type LogKeyType = 'ed25519' | 'ecdsa-p256';

export interface LogKey {
  type: LogKeyType;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** What kind of key a PEM holds, or an error that says which kinds the log signs with. */
export function logKeyType(key: KeyObject): LogKeyType {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1')
    return 'ecdsa-p256';
  throw new TlogError(
    'TLOG_KEY_INVALID',
    `The log key is ${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? ''}; the log signs with Ed25519 or ECDSA P-256.`,
  );
}

/**
 * The log's signing key: read from `path` (PKCS#8 PEM), or created there on first start with
 * permissions 0600. The key is the log's identity: losing it means starting a new log.
 */
export function loadOrCreateLogKey(path: string, type: LogKeyType = 'ed25519'): LogKey {
  if (!existsSync(path)) {
    const { privateKey } =
      type === 'ed25519'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
      flag: 'wx',
    });
    chmodSync(path, 0o600);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(path));
  } catch (e) {
    throw new TlogError(
      'TLOG_KEY_INVALID',
      `Cannot read the log key ${path}: it must be an unencrypted PKCS#8 PEM private key.`,
      { cause: e },
    );
  }
  return { type: logKeyType(privateKey), privateKey, publicKey: createPublicKey(privateKey) };
}
