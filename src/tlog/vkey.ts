import { createPublicKey, type KeyObject } from 'node:crypto';
import { concat, decodeBase64, encodeBase64 } from './bytes.js';
import { TlogError } from './errors.js';
import {
  asPublicKey,
  cosignatureV1Verifier,
  formatKeyId,
  isValidKeyName,
  keyInvalid,
  NOTE_SIG_TYPE,
  type NoteVerifier,
  noteVerifierFor,
  rawEd25519PublicKey,
  spkiDer,
} from './note-keys.js';

/** signed-note vkeys: `name+hex(keyID)+base64(type || key)`, the text form of a verifier key. */

/**
 * Parse a vkey `name+hex(keyID)+base64(type || key)` (types 0x01, 0x02, 0x04). The key ID must be
 * the one the key's type defines.
 * @throws TlogError TLOG_KEY_INVALID
 */
export function parseVerifierKey(vkey: string): NoteVerifier {
  const parts = vkey.split('+');
  // Base64 may itself hold '+', so only the first two separators split.
  if (parts.length < 3) throw keyInvalid('a vkey is name+keyid+key');
  const [name = '', hex = ''] = parts;
  const b64 = parts.slice(2).join('+');
  if (!isValidKeyName(name)) throw keyInvalid('the key name is empty or has spaces');
  if (!/^[0-9a-fA-F]{8}$/.test(hex)) throw keyInvalid('the key ID is not 8 hex digits');
  const claimed = Number.parseInt(hex, 16);
  const blob = decodeBase64(b64);
  if (blob === undefined || blob.length < 2) throw keyInvalid('the key is not base64');
  const type = blob[0] as number;
  const material = blob.subarray(1);
  const verifier = verifierFromMaterial(name, type, material);
  if (verifier.keyId !== claimed) {
    throw keyInvalid(`the key ID ${hex} is not the key's (${formatKeyId(verifier.keyId)})`);
  }
  return verifier;
}

/**
 * The vkey for a note verifier of `publicKey` (type 0x01 for Ed25519, 0x02 for ECDSA).
 * @throws TlogError TLOG_KEY_INVALID
 */
export function formatVerifierKey(name: string, publicKey: KeyObject): string {
  const verifier = noteVerifierFor(name, publicKey);
  const key = asPublicKey(publicKey);
  const material =
    key.asymmetricKeyType === 'ed25519'
      ? concat([Uint8Array.of(NOTE_SIG_TYPE.ed25519), rawEd25519PublicKey(key)])
      : concat([Uint8Array.of(NOTE_SIG_TYPE.ecdsa), spkiDer(key)]);
  return `${name}+${formatKeyId(verifier.keyId)}+${encodeBase64(material)}`;
}

/** Verifier for raw vkey material of a known type. */
function verifierFromMaterial(name: string, type: number, material: Uint8Array): NoteVerifier {
  switch (type) {
    case NOTE_SIG_TYPE.ed25519:
    case NOTE_SIG_TYPE.cosignatureV1: {
      if (material.length !== 32) throw keyInvalid('an Ed25519 key is 32 bytes');
      const key = ed25519PublicKeyFromRaw(material);
      if (type === NOTE_SIG_TYPE.ed25519) return noteVerifierFor(name, key);
      return cosignatureV1Verifier(name, key);
    }
    case NOTE_SIG_TYPE.ecdsa: {
      let key: KeyObject;
      try {
        key = createPublicKey({ key: Buffer.from(material), format: 'der', type: 'spki' });
      } catch (e) {
        throw new TlogError('TLOG_KEY_INVALID', 'the ECDSA key is not an SPKI', { cause: e });
      }
      if (key.asymmetricKeyType !== 'ec') throw keyInvalid('the 0x02 key is not an ECDSA key');
      return noteVerifierFor(name, key);
    }
    default:
      throw keyInvalid(`unsupported signature type 0x${type.toString(16).padStart(2, '0')}`);
  }
}

function ed25519PublicKeyFromRaw(raw: Uint8Array): KeyObject {
  try {
    return createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') },
      format: 'jwk',
    });
  } catch (e) {
    throw new TlogError('TLOG_KEY_INVALID', 'not an Ed25519 public key', { cause: e });
  }
}
