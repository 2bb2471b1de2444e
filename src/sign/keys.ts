import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { SignError } from './errors.js';

/** Key types `custody keys generate` makes. */
export const KEY_TYPES = ['ecdsa-p256', 'ecdsa-p384', 'ed25519', 'rsa-3072'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** What a loaded key is; RSA keys made elsewhere may have other sizes (2048 bits or more). */
export type SigningKeyType = 'ecdsa-p256' | 'ecdsa-p384' | 'ed25519' | `rsa-${number}`;

/**
 * A private key ready to sign. `hint` identifies the public key the way sigstore-go does for
 * keyed bundles (base64 of SHA-256 over the SPKI DER), so a verifier can find it in its key map.
 */
export interface SigningKey {
  type: SigningKeyType;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SPKI PEM of the public key. */
  publicPem: string;
  hint: string;
  /** Node's digest name for this key's signatures: `sha256`, or null for Ed25519 (pure EdDSA). */
  digest: 'sha256' | null;
}

/** A public key for verification. */
export interface VerificationKey {
  type: SigningKeyType;
  publicKey: KeyObject;
  publicPem: string;
  hint: string;
}

export interface GeneratedKey {
  type: KeyType;
  /** PKCS#8 PEM: `ENCRYPTED PRIVATE KEY` when a passphrase was given, else `PRIVATE KEY`. */
  privatePem: string;
  publicPem: string;
  hint: string;
}

// AES-256-CBC under PBES2/PBKDF2 is what Node's PKCS#8 export offers and what OpenSSL and cosign read.
const PKCS8_CIPHER = 'aes-256-cbc';

/**
 * Generate a key pair as PKCS#8 PEM, encrypted when a passphrase is given.
 * @throws SignError SIGN_KEY_INVALID for an unknown type or an empty passphrase
 */
export function generateKey(type: KeyType, options: { passphrase?: string } = {}): GeneratedKey {
  const { passphrase } = options;
  if (passphrase === '') {
    throw new SignError(
      'SIGN_KEY_INVALID',
      'the passphrase is empty: give a non-empty one or none',
    );
  }
  const pair = generatePair(type);
  const privatePem = pair.privateKey.export(
    passphrase === undefined
      ? { type: 'pkcs8', format: 'pem' }
      : { type: 'pkcs8', format: 'pem', cipher: PKCS8_CIPHER, passphrase },
  ) as string;
  return {
    type,
    privatePem,
    publicPem: spkiPem(pair.publicKey),
    hint: keyHint(pair.publicKey),
  };
}

/** Parse `ecdsa-p256` etc. @throws SignError SIGN_KEY_INVALID naming the types there are */
export function parseKeyType(s: string): KeyType {
  if ((KEY_TYPES as readonly string[]).includes(s)) return s as KeyType;
  throw new SignError(
    'SIGN_KEY_INVALID',
    `unknown key type "${s}": use one of ${KEY_TYPES.join(', ')}`,
    { details: { type: s } },
  );
}

/**
 * Load a private key from PEM (PKCS#8, plain or encrypted; also SEC1 and PKCS#1, which OpenSSL
 * writes). Untrusted input.
 * @throws SignError SIGN_KEY_INVALID when it is not a private key, is encrypted and no passphrase
 *   (or a wrong one) was given, or is of an unsupported type
 */
export function loadSigningKey(pem: string | Uint8Array, passphrase?: string): SigningKey {
  const text = typeof pem === 'string' ? pem : Buffer.from(pem).toString('utf8');
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text);
  if (!/-----BEGIN (ENCRYPTED |RSA |EC )?PRIVATE KEY-----/.test(text)) {
    throw new SignError(
      'SIGN_KEY_INVALID',
      /-----BEGIN (PUBLIC KEY|CERTIFICATE)-----/.test(text)
        ? 'this is a public key or certificate; signing needs the private key (PEM "PRIVATE KEY")'
        : 'not a PEM private key: expected a "PRIVATE KEY" block (custody keys generate makes one)',
    );
  }
  if (encrypted && (passphrase === undefined || passphrase === '')) {
    throw new SignError(
      'SIGN_KEY_INVALID',
      'the private key is encrypted: give its passphrase (--passphrase-env VAR names the variable)',
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(
      encrypted ? { key: text, format: 'pem', passphrase: passphrase as string } : text,
    );
  } catch (cause) {
    throw new SignError(
      'SIGN_KEY_INVALID',
      encrypted
        ? 'cannot decrypt the private key: the passphrase is wrong'
        : 'the private key cannot be read: the PEM is damaged or not a key',
      { cause },
    );
  }
  const publicKey = createPublicKey(privateKey);
  const type = keyTypeOf(publicKey);
  return {
    type,
    privateKey,
    publicKey,
    publicPem: spkiPem(publicKey),
    hint: keyHint(publicKey),
    digest: type === 'ed25519' ? null : 'sha256',
  };
}

/**
 * Load a public key from PEM (SPKI `PUBLIC KEY`, PKCS#1 `RSA PUBLIC KEY`, or a certificate's key).
 * Untrusted input.
 * @throws SignError SIGN_KEY_INVALID when it holds no public key of a supported type
 */
export function loadVerificationKey(pem: string | Uint8Array): VerificationKey {
  const text = typeof pem === 'string' ? pem : Buffer.from(pem).toString('utf8');
  if (/-----BEGIN (ENCRYPTED |RSA |EC )?PRIVATE KEY-----/.test(text)) {
    throw new SignError(
      'SIGN_KEY_INVALID',
      'this is a private key: verify with the public key (custody keys generate writes <file>.pub)',
    );
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(text);
  } catch (cause) {
    throw new SignError('SIGN_KEY_INVALID', 'not a PEM public key: expected a "PUBLIC KEY" block', {
      cause,
    });
  }
  return {
    type: keyTypeOf(publicKey),
    publicKey,
    publicPem: spkiPem(publicKey),
    hint: keyHint(publicKey),
  };
}

/** base64(SHA-256(SPKI DER)), as sigstore-go names a keyed bundle's public key. */
export function keyHint(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
}

/**
 * The Sigstore `PublicKeyDetails` name of a key, for trusted roots and verifier key maps. Signatures
 * are made over SHA-256 for every ECDSA and RSA key (as sigstore-js's bundle builders digest).
 */
export function publicKeyDetails(type: SigningKeyType): string {
  switch (type) {
    case 'ecdsa-p256':
      return 'PKIX_ECDSA_P256_SHA_256';
    case 'ecdsa-p384':
      return 'PKIX_ECDSA_P384_SHA_384';
    case 'ed25519':
      return 'PKIX_ED25519';
    default:
      return `PKIX_RSA_PKCS1V15_${type.slice('rsa-'.length)}_SHA256`;
  }
}

/** @throws SignError SIGN_KEY_INVALID for curves and sizes Custody does not sign with */
export function keyTypeOf(key: KeyObject): SigningKeyType {
  const d = key.asymmetricKeyDetails;
  switch (key.asymmetricKeyType) {
    case 'ec':
      if (d?.namedCurve === 'prime256v1') return 'ecdsa-p256';
      if (d?.namedCurve === 'secp384r1') return 'ecdsa-p384';
      break;
    case 'ed25519':
      return 'ed25519';
    case 'rsa':
      if ((d?.modulusLength ?? 0) >= 2048) return `rsa-${d?.modulusLength as number}`;
      break;
  }
  const what = [key.asymmetricKeyType, d?.namedCurve, d?.modulusLength].filter(Boolean).join(' ');
  throw new SignError(
    'SIGN_KEY_INVALID',
    `unsupported key (${what}): use ECDSA P-256 or P-384, Ed25519, or RSA of 2048 bits or more`,
    { details: { key: what } },
  );
}

function generatePair(type: KeyType): { publicKey: KeyObject; privateKey: KeyObject } {
  switch (type) {
    case 'ecdsa-p256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'ecdsa-p384':
      return generateKeyPairSync('ec', { namedCurve: 'P-384' });
    case 'ed25519':
      return generateKeyPairSync('ed25519');
    case 'rsa-3072':
      return generateKeyPairSync('rsa', { modulusLength: 3072 });
    default:
      // Callers outside TypeScript may pass any string; parseKeyType names the valid ones.
      parseKeyType(type satisfies never);
      throw new Error('unreachable');
  }
}

function spkiPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }) as string;
}
