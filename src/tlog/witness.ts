import { parseCheckpoint } from './checkpoint.js';
import { TlogError } from './errors.js';
import { EMPTY_ROOT } from './hashing.js';
import {
  decodeBase64,
  encodeBase64,
  formatNote,
  type NoteSigner,
  type NoteVerifier,
  openNote,
  parseNote,
} from './note.js';
import { verifyConsistency } from './proof-verify.js';

/**
 * C2SP tlog-witness v1.0.0, add-checkpoint, as pure logic: the edge parses the body, looks the
 * log up by the checkpoint's origin, reads the latest state, calls `addCheckpoint`, and persists
 * `state` atomically with that read (compare-and-swap on the old size) before answering.
 */

/** A parsed add-checkpoint request body. Untrusted until `addCheckpoint` has checked it. */
export interface AddCheckpointRequest {
  oldSize: number;
  proof: Uint8Array[];
  /** The signed checkpoint note, verbatim. */
  checkpoint: string;
}

/** A log the witness follows: its origin line and the keys it signs checkpoints with. */
export interface WitnessedLog {
  origin: string;
  verifiers: NoteVerifier[];
}

/** The latest checkpoint the witness cosigned for a log. */
export interface WitnessState {
  size: number;
  rootHash: Uint8Array;
}

/**
 * 200: `body` holds the cosignature lines and `state` is what to persist. 409 carries the
 * witness's `size` (the edge answers "<size>\n" as text/x.tlog.size).
 */
export type WitnessOutcome =
  | { status: 200; body: string; state: WitnessState }
  | { status: 400 | 403 | 404 | 409 | 422; message: string; size?: number };

/** A client MUST NOT send more consistency proof lines than this. */
export const MAX_PROOF_LINES = 63;

const HASH_SIZE = 32;

/**
 * Parse an add-checkpoint body: "old <size>\n", up to 63 base64 hash lines, an empty line, the
 * signed checkpoint. The checkpoint itself is checked by `addCheckpoint`.
 * @throws TlogError TLOG_WITNESS_REFUSED with details.status 400
 */
export function parseAddCheckpoint(body: string): AddCheckpointRequest {
  const oldEnd = body.indexOf('\n');
  const oldLine = oldEnd < 0 ? body : body.slice(0, oldEnd);
  const m = /^old (0|[1-9][0-9]{0,15})$/.exec(oldLine);
  if (oldEnd < 0 || m === null || !Number.isSafeInteger(Number(m[1]))) {
    throw badRequest('the body must start with "old <size>"');
  }
  const proof: Uint8Array[] = [];
  let at = oldEnd + 1;
  for (;;) {
    const end = body.indexOf('\n', at);
    if (end < 0) throw badRequest('no empty line before the checkpoint');
    const line = body.slice(at, end);
    at = end + 1;
    if (line === '') break;
    if (proof.length === MAX_PROOF_LINES) {
      throw badRequest(`more than ${MAX_PROOF_LINES} consistency proof lines`);
    }
    const hash = decodeBase64(line);
    if (hash === undefined || hash.length !== HASH_SIZE) {
      throw badRequest(`proof line ${proof.length + 1} is not base64 of a 32-byte hash`);
    }
    proof.push(hash);
  }
  return { oldSize: Number(m[1]), proof, checkpoint: body.slice(at) };
}

/**
 * The add-checkpoint body for a request (what a log sends to a witness).
 * @throws TlogError TLOG_WITNESS_REFUSED with details.status 400 when it would be malformed
 */
export function formatAddCheckpoint(r: AddCheckpointRequest): string {
  if (!Number.isSafeInteger(r.oldSize) || r.oldSize < 0) throw badRequest('bad old size');
  if (r.proof.length > MAX_PROOF_LINES) throw badRequest('too many proof lines');
  if (r.proof.some((h) => h.length !== HASH_SIZE)) throw badRequest('a proof hash is not 32 bytes');
  const lines = r.proof.map((h) => `${encodeBase64(h)}\n`).join('');
  return `old ${r.oldSize}\n${lines}\n${r.checkpoint}`;
}

/**
 * Decide an add-checkpoint request, in the spec's order of checks: 404 unknown origin, 403 no
 * valid signature by the log (or a bad one), 400 old size above the checkpoint's (or a malformed
 * checkpoint), 409 old size not the witness's latest, 422 for a size-0 checkpoint without the
 * empty root, a proof with old size 0, an equal size with another root, or a proof that does not
 * verify. On 200 the body is the cosigner's signature line on the checkpoint text.
 * @param log the log the edge found for the checkpoint's origin (undefined: none)
 * @param latest the last state cosigned for that log (undefined: never cosigned, size 0)
 */
export function addCheckpoint(
  req: AddCheckpointRequest,
  log: WitnessedLog | undefined,
  latest: WitnessState | undefined,
  cosigner: NoteSigner,
): WitnessOutcome {
  let text: string;
  try {
    text = parseNote(req.checkpoint).text;
  } catch (e) {
    return { status: 400, message: errorMessage(e) };
  }
  const origin = text.slice(0, text.indexOf('\n'));
  if (log === undefined || log.origin !== origin) {
    return { status: 404, message: `unknown log ${JSON.stringify(origin)}` };
  }
  try {
    openNote(req.checkpoint, log.verifiers);
  } catch (e) {
    return { status: 403, message: errorMessage(e) };
  }
  let size: number;
  let rootHash: Uint8Array;
  try {
    ({ size, rootHash } = parseCheckpoint(text));
  } catch (e) {
    return { status: 400, message: errorMessage(e) };
  }
  if (!Number.isSafeInteger(req.oldSize) || req.oldSize < 0 || req.oldSize > size) {
    return { status: 400, message: `old size ${req.oldSize} is above the checkpoint's ${size}` };
  }
  if (req.proof.length > MAX_PROOF_LINES) {
    return { status: 400, message: `more than ${MAX_PROOF_LINES} proof lines` };
  }
  const latestSize = latest?.size ?? 0;
  if (req.oldSize !== latestSize) {
    return {
      status: 409,
      message: `old size ${req.oldSize} is not the latest cosigned size ${latestSize}`,
      size: latestSize,
    };
  }
  const refusal = checkConsistency(req, size, rootHash, latest);
  if (refusal !== undefined) return { status: 422, message: refusal };
  const signature = cosigner.sign(new TextEncoder().encode(text));
  // formatNote gives the text, a blank line, then the one signature line: keep only that line.
  const note = formatNote({
    text,
    signatures: [{ name: cosigner.name, keyId: cosigner.keyId, signature }],
  });
  return { status: 200, body: note.slice(text.length + 1), state: { size, rootHash } };
}

// The 422 checks; returns why the checkpoint is refused, or undefined to cosign it.
function checkConsistency(
  req: AddCheckpointRequest,
  size: number,
  rootHash: Uint8Array,
  latest: WitnessState | undefined,
): string | undefined {
  if (size === 0 && !equalBytes(rootHash, EMPTY_ROOT)) {
    return 'a checkpoint of size 0 must have the empty tree root';
  }
  if (req.oldSize === 0) {
    return req.proof.length === 0 ? undefined : 'a proof from size 0 must be empty';
  }
  // oldSize > 0 here, and it equals latest.size, so latest is defined.
  const oldRoot = (latest as WitnessState).rootHash;
  if (req.oldSize === size) {
    if (!equalBytes(oldRoot, rootHash)) return `size ${size} was cosigned with another root`;
    return req.proof.length === 0 ? undefined : 'a proof between equal sizes must be empty';
  }
  try {
    verifyConsistency(req.oldSize, size, req.proof, oldRoot, rootHash);
  } catch (e) {
    if (e instanceof TlogError) return `consistency proof ${req.oldSize} → ${size}: ${e.message}`;
    throw e;
  }
  return undefined;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function errorMessage(e: unknown): string {
  if (e instanceof TlogError) return e.message;
  throw e;
}

function badRequest(message: string): TlogError {
  return new TlogError('TLOG_WITNESS_REFUSED', message, { details: { status: 400 } });
}
