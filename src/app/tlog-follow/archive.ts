import { historyPath, readHistoryText } from '../../fs/tile-directory.js';
import type { LogFetcher } from '../../tlog/index.js';
import {
  decodeBase64,
  leafHash,
  parseVerifierKey,
  TlogError,
  verifyInclusion,
} from '../../tlog/index.js';
import { decodeNote, describe, type LogIdentity, openSeen, type SeenCheckpoint } from './follow.js';
import type { HistoryLine } from './mirror.js';

/**
 * An auditor's archive of a log's checkpoints, in JSON lines (one JSON object per line, UTF-8):
 *
 *   {"format":"custody-tlog-archive/v1","origin":"<origin line>","vkey":"<log vkey>","exportedAt":"<ISO>"}
 *   {"seenAt":"<ISO>","size":<n>,"rootHash":"<base64>","note":"<the signed checkpoint, verbatim>"}
 *   …one line per checkpoint, oldest first
 *
 * The header names the key; every note must verify with it, so the file is self-checking and a
 * proof can be checked against it offline. `size` and `rootHash` repeat the note for readers
 * without a note parser; the note is what counts.
 */

export const ARCHIVE_FORMAT = 'custody-tlog-archive/v1';

export interface ArchiveHeader {
  format: typeof ARCHIVE_FORMAT;
  origin: string;
  vkey: string;
  exportedAt: string;
}

export interface ArchivedCheckpoint extends SeenCheckpoint {
  seenAt: string;
}

export interface Archive {
  header: ArchiveHeader;
  checkpoints: ArchivedCheckpoint[];
}

/** Which checkpoints to export: those seen at or after a date, or of at least a size. */
export type Since = { kind: 'date'; date: Date } | { kind: 'size'; size: number } | { kind: 'all' };

/**
 * A mirror's history; or a live log: its list of signed checkpoints when it has one (`list`, e.g.
 * Custody's /api/v1/tlog/checkpoints; undefined when the log has no such list), else its current one.
 */
export type ArchiveSource =
  | { kind: 'mirror'; dir: string }
  | { kind: 'log'; fetcher: LogFetcher; list?: (since: Since) => Promise<string[] | undefined> };

export interface ExportOptions {
  source: ArchiveSource;
  origin: string;
  vkey: string;
  since: Since;
  now: () => Date;
}

/**
 * Build an archive: from a mirror, its history (every checkpoint it accepted); from a live log,
 * the checkpoint it serves now. Every note is verified before it is written.
 * @throws TlogError TLOG_KEY_INVALID, TLOG_ARCHIVE_INVALID (a history line that does not parse or
 *   verify), TLOG_FETCH_*, TLOG_NOTE_*
 */
export async function exportCheckpoints(o: ExportOptions): Promise<string> {
  const log: LogIdentity = { origin: o.origin, verifiers: [parseVerifierKey(o.vkey)] };
  const seen = o.source.kind === 'mirror' ? readHistory(o.source.dir, log) : await fromLog(o, log);
  const header: ArchiveHeader = {
    format: ARCHIVE_FORMAT,
    origin: o.origin,
    vkey: o.vkey,
    exportedAt: o.now().toISOString(),
  };
  // A listed log filtered by itself (its seenAt is the export's time).
  const listed = o.source.kind === 'log' && o.source.list !== undefined;
  const lines = seen
    .filter((c) => (listed && o.since.kind === 'date') || selected(c, o.since))
    .map((c) => JSON.stringify(historyLine(c)));
  return `${[JSON.stringify(header), ...lines].join('\n')}\n`;
}

// A listed note that does not verify fails the export: an archive holds only what verifies.
async function fromLog(o: ExportOptions, log: LogIdentity): Promise<ArchivedCheckpoint[]> {
  if (o.source.kind !== 'log') return [];
  const seenAt = o.now().toISOString();
  const notes = (await o.source.list?.(o.since)) ?? [
    decodeNote(await o.source.fetcher.readCheckpoint()),
  ];
  return notes.map((note) => ({ ...openSeen(note, log), seenAt }));
}

/**
 * Parse an archive and verify every checkpoint in it with the header's key (or `pinnedVkey`,
 * which must then be the header's).
 * @throws TlogError TLOG_ARCHIVE_INVALID, TLOG_KEY_INVALID, TLOG_NOTE_*, TLOG_CHECKPOINT_*
 */
export function parseArchive(text: string, pinnedVkey?: string): Archive {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = parseLine(lines[0] ?? '', 1) as Partial<ArchiveHeader>;
  if (
    header.format !== ARCHIVE_FORMAT ||
    typeof header.origin !== 'string' ||
    typeof header.vkey !== 'string'
  ) {
    throw invalid(`line 1 is not a ${ARCHIVE_FORMAT} header`);
  }
  if (pinnedVkey !== undefined && pinnedVkey !== header.vkey) {
    throw invalid('the archive was made for another key than the one given', {
      archived: header.vkey,
      given: pinnedVkey,
    });
  }
  const log: LogIdentity = { origin: header.origin, verifiers: [parseVerifierKey(header.vkey)] };
  const checkpoints = lines.slice(1).map((l, i) => toArchived(parseLine(l, i + 2), log, i + 2));
  return { header: header as ArchiveHeader, checkpoints };
}

/** An inclusion proof as the log's proof endpoint (or Rekor) gives it. */
export interface InclusionClaim {
  index: number;
  size: number;
  hashes: Uint8Array[];
  leafHash?: Uint8Array;
}

/**
 * Read an inclusion proof from JSON (untrusted). Accepts Custody's and Rekor's spellings:
 * `logIndex`/`index`/`leafIndex`, `treeSize`/`size`, `hashes`/`proof` (hex or base64), optionally
 * under `inclusionProof` or `verification.inclusionProof`.
 * @throws TlogError TLOG_PROOF_INVALID when no proof can be read from it
 */
export function parseInclusionClaim(json: unknown): InclusionClaim {
  const root = json as Record<string, unknown> | null;
  const candidates = [
    root,
    root?.['inclusionProof'],
    (root?.['verification'] as Record<string, unknown> | undefined)?.['inclusionProof'],
    root?.['proof'],
  ];
  for (const c of candidates) {
    if (typeof c !== 'object' || c === null || Array.isArray(c)) continue;
    const o = c as Record<string, unknown>;
    const index = o['logIndex'] ?? o['index'] ?? o['leafIndex'];
    const size = o['treeSize'] ?? o['size'];
    const hashes = o['hashes'] ?? o['proof'] ?? o['auditPath'];
    if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || !Array.isArray(hashes))
      continue;
    const leaf = o['leafHash'];
    return {
      index: index as number,
      size: size as number,
      hashes: hashes.map((h, i) => decodeHash(h, `hash ${i}`)),
      ...(typeof leaf === 'string' ? { leafHash: decodeHash(leaf, 'leafHash') } : {}),
    };
  }
  throw new TlogError(
    'TLOG_PROOF_INVALID',
    'no inclusion proof in that JSON: expected logIndex (or index), treeSize and hashes',
  );
}

export interface InclusionVerified {
  index: number;
  size: number;
  leafHash: Uint8Array;
  checkpoint: ArchivedCheckpoint;
}

/**
 * Check, offline, that the leaf is in the tree of an archived checkpoint.
 * @param leaf the entry's bytes (hashed as an RFC 6962 leaf) or its leaf hash
 * @throws TlogError TLOG_CHECKPOINT_NOT_ARCHIVED (no archived checkpoint of the proof's size),
 *   TLOG_PROOF_INVALID, TLOG_RANGE_INVALID
 */
export function verifyArchivedInclusion(
  archive: Archive,
  leaf: { kind: 'entry'; bytes: Uint8Array } | { kind: 'leafHash'; hash: Uint8Array },
  claim: InclusionClaim,
): InclusionVerified {
  const hash = leaf.kind === 'entry' ? leafHash(leaf.bytes) : leaf.hash;
  if (claim.leafHash !== undefined && Buffer.compare(claim.leafHash, hash) !== 0) {
    throw new TlogError(
      'TLOG_PROOF_INVALID',
      'the proof is for another leaf than the entry given',
      {
        details: { index: claim.index },
      },
    );
  }
  const checkpoint = archive.checkpoints.find((c) => c.checkpoint.size === claim.size);
  if (checkpoint === undefined) {
    throw new TlogError(
      'TLOG_CHECKPOINT_NOT_ARCHIVED',
      `no archived checkpoint has size ${claim.size}; ask the log for a proof against one that has`,
      {
        details: { size: claim.size, archived: archive.checkpoints.map((c) => c.checkpoint.size) },
      },
    );
  }
  verifyInclusion(claim.index, claim.size, hash, claim.hashes, checkpoint.checkpoint.rootHash);
  return { index: claim.index, size: claim.size, leafHash: hash, checkpoint };
}

/** A mirror's history, every line verified. */
export function readHistory(dir: string, log: LogIdentity): ArchivedCheckpoint[] {
  const text = readHistoryText(dir);
  if (text === undefined)
    throw invalid(`${historyPath(dir)} does not exist: is ${dir} a mirror folder?`);
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => toArchived(parseLine(l, i + 1), log, i + 1));
}

function toArchived(raw: unknown, log: LogIdentity, lineNo: number): ArchivedCheckpoint {
  const l = raw as Partial<HistoryLine>;
  if (typeof l.note !== 'string' || typeof l.seenAt !== 'string') {
    throw invalid(`line ${lineNo} has no note or seenAt`);
  }
  try {
    return { ...openSeen(l.note, log), seenAt: l.seenAt };
  } catch (e) {
    throw invalid(`line ${lineNo}: ${(e as Error).message}`, { line: lineNo }, e);
  }
}

function historyLine(c: ArchivedCheckpoint): HistoryLine {
  return { seenAt: c.seenAt, ...describe(c) };
}

function selected(c: ArchivedCheckpoint, since: Since): boolean {
  switch (since.kind) {
    case 'all':
      return true;
    case 'size':
      return c.checkpoint.size >= since.size;
    case 'date':
      return Date.parse(c.seenAt) >= since.date.getTime();
    default: {
      const never: never = since;
      return never;
    }
  }
}

function parseLine(line: string, lineNo: number): unknown {
  try {
    return JSON.parse(line);
  } catch (e) {
    throw invalid(`line ${lineNo} is not JSON`, { line: lineNo }, e);
  }
}

// Proof hashes come hex (Rekor) or base64 (C2SP); 64 hex digits cannot be 32 bytes of base64.
function decodeHash(v: unknown, what: string): Uint8Array {
  if (typeof v === 'string') {
    if (/^[0-9a-fA-F]{64}$/.test(v)) return new Uint8Array(Buffer.from(v, 'hex'));
    const b = decodeBase64(v);
    if (b !== undefined && b.length === 32) return b;
  }
  throw new TlogError('TLOG_PROOF_INVALID', `${what} is not a 32-byte hash in hex or base64`);
}

function invalid(message: string, details?: Record<string, unknown>, cause?: unknown): TlogError {
  return new TlogError('TLOG_ARCHIVE_INVALID', message, {
    ...(details ? { details } : {}),
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Whether an error of `verifyArchivedInclusion` is the answer "not included" rather than bad input. */
export function isInclusionRefusal(e: unknown): e is TlogError {
  const no = ['TLOG_PROOF_INVALID', 'TLOG_RANGE_INVALID', 'TLOG_CHECKPOINT_NOT_ARCHIVED'];
  return e instanceof TlogError && no.includes(e.code);
}
