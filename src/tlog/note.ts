import {
  createHash,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import { TlogError } from './errors.js';

/**
 * C2SP signed-note v1.0.0: a text ending in "\n", a blank line, then one or more lines
 * "— <key name> base64(keyID[4] || signature)". All notes handled here are untrusted input
 * until `openNote` has verified them against keys the caller trusts.
 */

/** One signature line of a note. */
export interface NoteSignature {
  name: string;
  /** uint32, the first four bytes of the base64 blob, big-endian. */
  keyId: number;
  /** The signature bytes after the 4-byte key ID. */
  signature: Uint8Array;
}

export interface Note {
  /** The signed text, including its final newline (not the blank separator line). */
  text: string;
  signatures: NoteSignature[];
}

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

/**
 * Largest note accepted, in UTF-8 bytes. The spec asks verifiers to accept at least 16 signatures
 * of up to ~5 kB (post-quantum); 1 MiB leaves room for a hundred of them plus a large text.
 */
export const MAX_NOTE_BYTES = 1 << 20;
/** Most signature lines accepted in one note (the Go reference's limit; the spec's floor is 16). */
export const MAX_NOTE_SIGNATURES = 100;

const SIG_PREFIX = '\u2014 ';
const encoder = new TextEncoder();

/**
 * Parse a signed note without verifying it.
 * @throws TlogError TLOG_NOTE_MALFORMED
 */
export function parseNote(note: string): Note {
  assertNoteCharacters(note);
  // Signature lines never contain "\n\n", so the last blank line is the separator.
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) {
    throw malformed('the signature block must be non-empty and end in a newline');
  }
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) {
    throw malformed(`more than ${MAX_NOTE_SIGNATURES} signature lines`);
  }
  return { text, signatures: lines.map(parseSignatureLine) };
}

/**
 * Serialize a note; the inverse of `parseNote`.
 * @throws TlogError TLOG_NOTE_MALFORMED when the text or a key name cannot be carried by a note
 */
export function formatNote(note: Note): string {
  assertNoteText(note.text);
  if (note.signatures.length === 0) throw malformed('a note needs at least one signature');
  const lines = note.signatures.map((s) => formatSignatureLine(s));
  const out = `${note.text}\n${lines.join('')}`;
  if (utf8Length(out) > MAX_NOTE_BYTES) throw malformed(`note over ${MAX_NOTE_BYTES} bytes`);
  return out;
}

/**
 * Sign `text` with every signer, in order.
 * @throws TlogError TLOG_NOTE_MALFORMED when the text is not note text
 */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  assertNoteText(text);
  const message = encoder.encode(text);
  const signatures = signers.map((s) => ({
    name: s.name,
    keyId: s.keyId,
    signature: s.sign(message),
  }));
  return formatNote({ text, signatures });
}

/**
 * Parse and verify a note under the signed-note verifier rules: lines whose (name, key ID) no
 * verifier has are ignored; every line of a known key must verify; at least one must.
 * @returns the parsed note and the verifiers whose signatures verified (each once)
 * @throws TlogError TLOG_NOTE_MALFORMED, TLOG_NOTE_UNVERIFIED, TLOG_KEY_INVALID (two verifiers
 *   share a name and key ID, so a line could not be attributed)
 */
export function openNote(
  note: string,
  verifiers: readonly NoteVerifier[],
): { note: Note; verifiedBy: NoteVerifier[] } {
  const parsed = parseNote(note);
  const message = encoder.encode(parsed.text);
  const verifiedBy: NoteVerifier[] = [];
  for (const sig of parsed.signatures) {
    const known = verifiers.filter((v) => v.name === sig.name && v.keyId === sig.keyId);
    if (known.length === 0) continue;
    if (known.length > 1) {
      throw new TlogError('TLOG_KEY_INVALID', `two verifiers share ${describeKey(sig)}`);
    }
    const verifier = known[0] as NoteVerifier;
    if (!verifier.verify(message, sig.signature)) {
      // A known key's bad signature means tampering or a confused signer: reject the whole note.
      throw new TlogError('TLOG_NOTE_UNVERIFIED', `bad signature from ${describeKey(sig)}`, {
        details: { name: sig.name, keyId: sig.keyId },
      });
    }
    if (!verifiedBy.includes(verifier)) verifiedBy.push(verifier);
  }
  if (verifiedBy.length === 0) {
    throw new TlogError('TLOG_NOTE_UNVERIFIED', 'no signature from a known key', {
      details: { signers: parsed.signatures.map((s) => s.name) },
    });
  }
  return { note: parsed, verifiedBy };
}

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

/** Standard base64 with padding (RFC 4648 §4). */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Strict standard base64: padded, only the RFC 4648 §4 alphabet, and canonical (zero pad bits),
 * so one value has one spelling. Returns undefined for anything else.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (
    text.length % 4 !== 0 ||
    !/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)
  ) {
    return undefined;
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) return undefined;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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

/**
 * The type 0x04 verifier (C2SP tlog-cosignature, Ed25519). It lives here rather than in
 * cosignature.ts so that vkeys of every supported type parse in one place without an import cycle;
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

/** Big-endian uint64 at `offset`. */
export function readUint64(bytes: Uint8Array, offset: number): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
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

function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIG_PREFIX)) throw malformed('a signature line must start with "— "');
  const rest = line.slice(SIG_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) throw malformed('a signature line is "— <name> <base64>"');
  const name = rest.slice(0, space);
  if (!isValidKeyName(name)) throw malformed('a signature key name is empty or has spaces');
  const blob = decodeBase64(rest.slice(space + 1));
  if (blob === undefined || blob.length < 5) {
    throw malformed(`the signature of ${name} is not base64 of a key ID and a signature`);
  }
  return {
    name,
    keyId: new DataView(blob.buffer, blob.byteOffset).getUint32(0),
    signature: blob.slice(4),
  };
}

function formatSignatureLine(sig: NoteSignature): string {
  if (!isValidKeyName(sig.name)) throw malformed(`invalid key name ${JSON.stringify(sig.name)}`);
  if (!Number.isInteger(sig.keyId) || sig.keyId < 0 || sig.keyId > 0xffffffff) {
    throw malformed('a key ID is a uint32');
  }
  if (sig.signature.length === 0) throw malformed('an empty signature');
  const blob = new Uint8Array(4 + sig.signature.length);
  new DataView(blob.buffer).setUint32(0, sig.keyId);
  blob.set(sig.signature, 4);
  return `${SIG_PREFIX}${sig.name} ${encodeBase64(blob)}\n`;
}

// signed-note: valid UTF-8 (a JS string from a decoder may hold lone surrogates) and no ASCII
// control characters other than newline.
function assertNoteCharacters(s: string): void {
  if (s.length > MAX_NOTE_BYTES || utf8Length(s) > MAX_NOTE_BYTES) {
    throw malformed(`note over ${MAX_NOTE_BYTES} bytes`);
  }
  if (!isWellFormed(s)) throw malformed('a note must be valid UTF-8');
  if (hasControlCharacter(s, true)) throw malformed('a note holds a control character');
}

function assertNoteText(text: string): void {
  assertNoteCharacters(text);
  if (!text.endsWith('\n')) throw malformed('note text must end in a newline');
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

function asPublicKey(key: KeyObject): KeyObject {
  if (key.type === 'secret') throw keyInvalid('a secret key has no public half');
  return key.type === 'private' ? createPublicKey(key) : key;
}

function spkiDer(key: KeyObject): Uint8Array {
  return new Uint8Array(asPublicKey(key).export({ format: 'der', type: 'spki' }));
}

function ecdsaKeyId(der: Uint8Array): number {
  return createHash('sha256').update(der).digest().readUInt32BE(0);
}

// In a /u regex a surrogate class matches only unpaired halves, which UTF-8 cannot encode.
function isWellFormed(s: string): boolean {
  return !/[\uD800-\uDFFF]/u.test(s);
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function describeKey(sig: { name: string; keyId: number }): string {
  return `${sig.name}+${formatKeyId(sig.keyId)}`;
}

function malformed(message: string): TlogError {
  return new TlogError('TLOG_NOTE_MALFORMED', message);
}

function keyInvalid(message: string): TlogError {
  return new TlogError('TLOG_KEY_INVALID', message);
}
