import { sign } from 'node:crypto';
import { writeOutput } from '../../fs/bundle-files.js';
import { type Env, readSigningKey } from '../../fs/key-files.js';

/**
 * What `custody ca emergency request` sends for its key: the public key and the proof of
 * possession, the key's signature over the identity (with the digest the CA checks it with:
 * SHA-384 for P-384, SHA-512 for P-521, none for Ed25519, else SHA-256).
 * @throws CoreError FILE_NOT_FOUND, FILE_UNREADABLE; SignError SIGN_KEY_INVALID
 */
export function emergencyKeyProof(
  keyFile: string,
  identity: string,
  env: Env,
  passphraseEnv?: string,
): { publicKey: string; proofOfPossession: string } {
  const key = readSigningKey(keyFile, env, passphraseEnv);
  const curve = key.privateKey.asymmetricKeyDetails?.namedCurve;
  const digest =
    key.type === 'ed25519'
      ? null
      : curve === 'secp384r1'
        ? 'sha384'
        : curve === 'secp521r1'
          ? 'sha512'
          : 'sha256';
  return {
    publicKey: key.publicPem,
    proofOfPossession: sign(digest, Buffer.from(identity, 'utf8'), key.privateKey).toString(
      'base64',
    ),
  };
}

/**
 * Write a fetched certificate chain (leaf first) as PEM.
 * @throws CoreError FILE_UNREADABLE when it cannot be written
 */
export function writeCertificateFile(path: string, chainPem: readonly string[]): void {
  writeOutput(path, chainPem.map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join(''));
}
