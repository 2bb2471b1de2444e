import { createPublicKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { concat, encodeBase64, readUint64 } from './bytes.js';
import { TlogError } from './errors.js';
import type { NoteSignature } from './note.js';
import {
  cosignatureV1Verifier,
  cosignedMessage,
  formatKeyId,
  isValidKeyName,
  keyIdFor,
  MAX_COSIGNATURE_TIME,
  NOTE_SIG_TYPE,
  type NoteSigner,
  type NoteVerifier,
  rawEd25519PublicKey,
} from './note-keys.js';

/**
 * C2SP tlog-cosignature v1 with Ed25519 (signature type 0x04). A cosignature line's blob is
 * keyID[4] || timestamp u64 BE || Ed25519 signature[64], the signature being over
 * "cosignature/v1\ntime <timestamp>\n" followed by the checkpoint's note text.
 * ML-DSA-44 (type 0x06) is left out: Node 20's crypto has no ML-DSA, so such lines are unknown keys.
 */

/** Bytes of a type 0x04 signature after the key ID: the timestamp and the Ed25519 signature. */
export const COSIGNATURE_V1_SIZE = 8 + 64;

/**
 * A cosigner. `now` gives the time to stamp, in POSIX seconds (a witness passes its clock).
 * @throws TlogError TLOG_KEY_INVALID for a bad name or a non-Ed25519 key; `sign` throws
 *   TLOG_NOTE_MALFORMED if the clock gives a time the format cannot carry
 */
export function cosignatureSigner(
  name: string,
  privateKey: KeyObject,
  now: () => number,
): NoteSigner {
  if (!isValidKeyName(name))
    throw new TlogError('TLOG_KEY_INVALID', `invalid key name ${JSON.stringify(name)}`);
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TlogError('TLOG_KEY_INVALID', 'a cosigner key is an Ed25519 private key');
  }
  const keyId = keyIdFor(name, NOTE_SIG_TYPE.cosignatureV1, rawEd25519PublicKey(privateKey));
  return {
    name,
    keyId,
    sign(message) {
      const time = now();
      if (!Number.isSafeInteger(time) || time < 0) {
        throw new TlogError('TLOG_NOTE_MALFORMED', `cannot stamp a cosignature with time ${time}`);
      }
      const stamp = new Uint8Array(8);
      new DataView(stamp.buffer).setBigUint64(0, BigInt(time));
      const signature = cryptoSign(null, cosignedMessage(BigInt(time), message), privateKey);
      return concat([stamp, new Uint8Array(signature)]);
    },
  };
}

/**
 * A verifier of type 0x04 cosignatures by `publicKey` (an Ed25519 key, or its private key).
 * @throws TlogError TLOG_KEY_INVALID
 */
export function cosignatureVerifier(name: string, publicKey: KeyObject): NoteVerifier {
  return cosignatureV1Verifier(name, publicKey);
}

/**
 * The time a type 0x04 cosignature claims, in POSIX seconds. Read from untrusted bytes: only
 * meaningful once the line has verified.
 * @throws TlogError TLOG_NOTE_MALFORMED when the signature is not a cosignature/v1 signature or
 *   its time exceeds what a JS number holds exactly
 */
export function cosignatureTime(sig: NoteSignature): number {
  if (sig.signature.length !== COSIGNATURE_V1_SIZE) {
    throw new TlogError('TLOG_NOTE_MALFORMED', `${sig.name}'s signature is not a cosignature/v1`);
  }
  const time = readUint64(sig.signature, 0);
  if (time > MAX_COSIGNATURE_TIME || time > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new TlogError('TLOG_NOTE_MALFORMED', `cosignature time ${time} out of range`);
  }
  return Number(time);
}

/**
 * The vkey of a cosigner: `name+hex(keyID)+base64(0x04 || 32-byte key)`.
 * @throws TlogError TLOG_KEY_INVALID
 */
export function formatCosignatureVerifierKey(name: string, publicKey: KeyObject): string {
  const verifier = cosignatureV1Verifier(name, publicKey);
  const key = publicKey.type === 'private' ? createPublicKey(publicKey) : publicKey;
  const material = concat([Uint8Array.of(NOTE_SIG_TYPE.cosignatureV1), rawEd25519PublicKey(key)]);
  return `${name}+${formatKeyId(verifier.keyId)}+${encodeBase64(material)}`;
}
