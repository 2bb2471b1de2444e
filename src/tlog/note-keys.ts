import {
  createHash,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import { concat, readUint64 } from './bytes.js';
import { TlogError } from './errors.js';

/**
 * The keys of C2SP signed-note: signers and verifiers of each supported signature type and their
 * key IDs. Their text form, the vkey, is in vkey.ts.
 */

export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(message: Uint8Array): Uint8Array;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  /** Never throws: a signature of the wrong shape is simply not valid. */
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** Signature type bytes assigned by signed-note (the ones this package implements). */
export const NOTE_SIG_TYPE = { ed25519: 0x01, ecdsa: 0x02, cosignatureV1: 0x04 } as const;

const encoder = new TextEncoder();

/**
 * A signer of type 0x01 (Ed25519 over the note text).
 * @throws TlogError TLOG_KEY_INVALID
 */
export function ed25519NoteSigner(name: string, privateKey: KeyObject): NoteSigner {
  assertKeyName(name);
  assertKeyKind(privateKey, 'private', 'ed25519');
  const keyId = keyIdFor(name, NOTE_SIG_TYPE.ed25519, rawEd25519PublicKey(privateKey));
  return {
    name,
    keyId,
    sign: (message) => new Uint8Array(cryptoSign(null, message, privateKey)),
  };
}

/**
 * A signer of type 0x02 as github.com/transparency-dev/formats and Rekor v1 use it: ASN.1 DER
 * ECDSA over SHA-256(text) on P-256/384/521, key ID = SHA-256(SPKI DER)[:4] (no name, no type).
 * @throws TlogError TLOG_KEY_INVALID
 */
export function ecdsaNoteSigner(name: string, privateKey: KeyObject): NoteSigner {
  assertKeyName(name);
  assertKeyKind(privateKey, 'private', 'ec');
  assertEcdsaCurve(privateKey);
  const keyId = ecdsaKeyId(spkiDer(privateKey));
  return {
    name,
    keyId,
    sign: (message) =>
      new Uint8Array(cryptoSign('sha256', message, { key: privateKey, dsaEncoding: 'der' })),
  };
}

/**
 * A verifier for `publicKey`: type 0x01 for Ed25519 keys, 0x02 for ECDSA keys.
 * @throws TlogError TLOG_KEY_INVALID
 */
export function noteVerifierFor(name: string, publicKey: KeyObject): NoteVerifier {
  assertKeyName(name);
  const key = asPublicKey(publicKey);
  switch (key.asymmetricKeyType) {
    case 'ed25519': {
      const keyId = keyIdFor(name, NOTE_SIG_TYPE.ed25519, rawEd25519PublicKey(key));
      return { name, keyId, verify: (m, s) => safeVerify(null, m, key, s) };
    }
    case 'ec': {
      assertEcdsaCurve(key);
      const keyId = ecdsaKeyId(spkiDer(key));
      return { name, keyId, verify: (m, s) => safeVerify('sha256', m, key, s) };
    }
    default:
      throw new TlogError(
        'TLOG_KEY_INVALID',
        `no note signature type for ${key.asymmetricKeyType} keys`,
      );
  }
}

/**
 * The key ID a note verifier of `publicKey` uses under `name`.
 * @throws TlogError TLOG_KEY_INVALID
 */
export function noteKeyId(name: string, publicKey: KeyObject): number {
  return noteVerifierFor(name, publicKey).keyId;
}

/** signed-note's recommended key ID: SHA-256(name || 0x0A || type || key)[:4], big-endian. */
export function keyIdFor(name: string, type: number, key: Uint8Array): number {
  const digest = createHash('sha256')
    .update(encoder.encode(name))
    .update(Uint8Array.of(0x0a, type))
    .update(key)
    .digest();
  return digest.readUInt32BE(0);
}

/** True for a name signed-note allows: non-empty, no Unicode spaces, no '+'. */
export function isValidKeyName(name: string): boolean {
  // Control characters would let a name break the note's line structure.
  return (
    name !== '' &&
    !name.includes('+') &&
    !/\p{White_Space}/u.test(name) &&
    !hasControlCharacter(name, false) &&
    isWellFormed(name)
  );
}

/** True when `s` holds a character below U+0020 (signed-note's "control characters"), newline aside if allowed. */
export function hasControlCharacter(s: string, allowNewline: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && !(allowNewline && c === 0x0a)) return true;
  }
  return false;
}

/** The 32-byte RFC 8032 encoding of an Ed25519 key (public, or the public half of a private one). */
export function rawEd25519PublicKey(key: KeyObject): Uint8Array {
  const der = spkiDer(key);
  // An Ed25519 SPKI is a fixed 12-byte header followed by the 32-byte key.
  return der.subarray(der.length - 32);
}

/** Lowercase 8-digit hex of a key ID, as vkeys carry it. */
export function formatKeyId(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

/**
 * The type 0x04 verifier (C2SP tlog-cosignature, Ed25519). It lives here rather than in
 * cosignature.ts so that vkey.ts parses vkeys of every supported type without an import cycle;
 * cosignature.ts re-exports it.
 */
export function cosignatureV1Verifier(name: string, publicKey: KeyObject): NoteVerifier {
  assertKeyName(name);
  const key = asPublicKey(publicKey);
  assertKeyKind(key, 'public', 'ed25519');
  const keyId = keyIdFor(name, NOTE_SIG_TYPE.cosignatureV1, rawEd25519PublicKey(key));
  return {
    name,
    keyId,
    verify(message, signature) {
      if (signature.length !== 8 + 64) return false;
      const time = readUint64(signature, 0);
      if (time > MAX_COSIGNATURE_TIME) return false;
      return safeVerify(null, cosignedMessage(time, message), key, signature.subarray(8));
    },
  };
}

/** tlog-cosignature: a timestamp MUST NOT exceed 2^63 - 1. */
export const MAX_COSIGNATURE_TIME = (1n << 63n) - 1n;

/** The Ed25519 cosignature/v1 message: header line, time line, then the checkpoint text. */
export function cosignedMessage(time: bigint, text: Uint8Array): Uint8Array {
  return concat([encoder.encode(`cosignature/v1\ntime ${time.toString()}\n`), text]);
}

// Both sides of a note signature are untrusted: a malformed signature is just "not valid".
function safeVerify(
  algorithm: 'sha256' | null,
  message: Uint8Array,
  key: KeyObject,
  signature: Uint8Array,
): boolean {
  try {
    return algorithm === null
      ? cryptoVerify(null, message, key, signature)
      : cryptoVerify(algorithm, message, { key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

function assertKeyName(name: string): void {
  if (!isValidKeyName(name)) {
    throw keyInvalid(`invalid key name ${JSON.stringify(name)}: empty, or has spaces or '+'`);
  }
}

function assertKeyKind(key: KeyObject, kind: 'private' | 'public', type: string): void {
  if (key.type !== kind || key.asymmetricKeyType !== type) {
    throw keyInvalid(
      `expected a ${type} ${kind} key, got a ${key.asymmetricKeyType} ${key.type} key`,
    );
  }
}

// signed-note 0x02: P-256, P-384 or P-521 (Node names them by their OpenSSL names).
function assertEcdsaCurve(key: KeyObject): void {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve !== 'prime256v1' && curve !== 'secp384r1' && curve !== 'secp521r1') {
    throw keyInvalid(`ECDSA note keys are P-256, P-384 or P-521, not ${curve}`);
  }
}

export function asPublicKey(key: KeyObject): KeyObject {
  if (key.type === 'secret') throw keyInvalid('a secret key has no public half');
  return key.type === 'private' ? createPublicKey(key) : key;
}

export function spkiDer(key: KeyObject): Uint8Array {
  return new Uint8Array(asPublicKey(key).export({ format: 'der', type: 'spki' }));
}

function ecdsaKeyId(der: Uint8Array): number {
  return createHash('sha256').update(der).digest().readUInt32BE(0);
}

// In a /u regex a surrogate class matches only unpaired halves, which UTF-8 cannot encode.
export function isWellFormed(s: string): boolean {
  return !/[\uD800-\uDFFF]/u.test(s);
}

export function keyInvalid(message: string): TlogError {
  return new TlogError('TLOG_KEY_INVALID', message);
}
