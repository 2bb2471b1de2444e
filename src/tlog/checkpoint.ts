import { decodeBase64, encodeBase64 } from './bytes.js';
import { TlogError } from './errors.js';
import { type Note, openNote, signNote } from './note.js';
import { hasControlCharacter, type NoteSigner, type NoteVerifier } from './note-keys.js';

/**
 * C2SP tlog-checkpoint v1.0.0: the note text "<origin>\n<size>\n<base64 root>\n" followed by
 * optional non-empty extension lines.
 */
export interface Checkpoint {
  origin: string;
  /** Leaves in the tree; a safe integer (2^53 - 1 entries is more than any log will hold). */
  size: number;
  /** RFC 6962 Merkle tree hash at `size`, 32 bytes. */
  rootHash: Uint8Array;
  /** Opaque lines after the root (NOT RECOMMENDED by the spec, but signed and carried). */
  extensions: string[];
}

const HASH_SIZE = 32;

/**
 * The note text of a checkpoint.
 * @throws TlogError TLOG_CHECKPOINT_MALFORMED when a field cannot be written as the spec requires
 */
export function formatCheckpoint(cp: Checkpoint): string {
  assertLine(cp.origin, 'origin');
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) {
    throw malformed(`tree size ${cp.size} is not a non-negative integer`);
  }
  if (cp.rootHash.length !== HASH_SIZE) throw malformed(`root hash is not ${HASH_SIZE} bytes`);
  for (const ext of cp.extensions) assertLine(ext, 'extension line');
  return [cp.origin, String(cp.size), encodeBase64(cp.rootHash), ...cp.extensions, ''].join('\n');
}

/**
 * Parse checkpoint note text (untrusted: call it on text `openNote` verified, or use
 * `openCheckpoint`).
 * @throws TlogError TLOG_CHECKPOINT_MALFORMED
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw malformed('checkpoint text must end in a newline');
  if (hasControlCharacter(text, true)) throw malformed('control character in checkpoint');
  const [origin = '', size = '', root = '', ...extensions] = text.slice(0, -1).split('\n');
  if (origin === '') throw malformed('the origin line is empty or missing');
  if (!/^(?:0|[1-9][0-9]{0,15})$/.test(size) || !Number.isSafeInteger(Number(size))) {
    throw malformed(`tree size ${JSON.stringify(size.slice(0, 32))} is not a canonical decimal`);
  }
  const rootHash = decodeBase64(root);
  if (rootHash === undefined || rootHash.length !== HASH_SIZE) {
    throw malformed('the root hash line is not base64 of 32 bytes');
  }
  if (extensions.some((line) => line === '')) throw malformed('an extension line is empty');
  return { origin, size: Number(size), rootHash, extensions };
}

/**
 * Format and sign a checkpoint. The log's key name SHOULD be the origin; not enforced, because
 * witnesses' cosigners sign the same text under their own names.
 * @throws TlogError TLOG_CHECKPOINT_MALFORMED
 */
export function signCheckpoint(cp: Checkpoint, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(cp), signers);
}

/**
 * Verify a signed checkpoint of the log `origin`: the note verifies under `verifiers` (signed-note
 * rules), its text is a checkpoint and the origin line is exactly `origin`.
 * @throws TlogError TLOG_NOTE_MALFORMED, TLOG_NOTE_UNVERIFIED, TLOG_CHECKPOINT_MALFORMED,
 *   TLOG_CHECKPOINT_ORIGIN_MISMATCH
 */
export function openCheckpoint(
  note: string,
  origin: string,
  verifiers: readonly NoteVerifier[],
): { checkpoint: Checkpoint; note: Note } {
  // Signatures first: the text of an unverified note must not be acted upon.
  const opened = openNote(note, verifiers);
  const checkpoint = parseCheckpoint(opened.note.text);
  if (checkpoint.origin !== origin) {
    throw new TlogError(
      'TLOG_CHECKPOINT_ORIGIN_MISMATCH',
      `checkpoint of ${JSON.stringify(checkpoint.origin)}, expected ${JSON.stringify(origin)}`,
      { details: { expected: origin, found: checkpoint.origin } },
    );
  }
  return { checkpoint, note: opened.note };
}

function assertLine(value: string, what: string): void {
  if (value === '' || hasControlCharacter(value, false)) {
    throw malformed(`${what} ${JSON.stringify(value)} is empty or holds a control character`);
  }
}

function malformed(message: string): TlogError {
  return new TlogError('TLOG_CHECKPOINT_MALFORMED', message);
}
