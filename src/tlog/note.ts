import { decodeBase64, encodeBase64 } from './bytes.js';
import { TlogError } from './errors.js';
import {
  formatKeyId,
  hasControlCharacter,
  isValidKeyName,
  isWellFormed,
  type NoteSigner,
  type NoteVerifier,
} from './note-keys.js';

// The byte helpers and the key handling moved out of this module; importers keep these names.
export { concat, decodeBase64, encodeBase64, readUint64 } from './bytes.js';
export {
  cosignatureV1Verifier,
  cosignedMessage,
  ecdsaNoteSigner,
  ed25519NoteSigner,
  formatKeyId,
  hasControlCharacter,
  isValidKeyName,
  keyIdFor,
  MAX_COSIGNATURE_TIME,
  NOTE_SIG_TYPE,
  type NoteSigner,
  type NoteVerifier,
  noteKeyId,
  noteVerifierFor,
  rawEd25519PublicKey,
} from './note-keys.js';
export { formatVerifierKey, parseVerifierKey } from './vkey.js';

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

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function describeKey(sig: { name: string; keyId: number }): string {
  return `${sig.name}+${formatKeyId(sig.keyId)}`;
}

function malformed(message: string): TlogError {
  return new TlogError('TLOG_NOTE_MALFORMED', message);
}
