import { CustodyError } from '../core/index.js';

/** Error codes of the transparency log. Public API: never renamed or reused. */
export type TlogErrorCode =
  /** An inclusion or consistency proof does not lead to the root it claims. */
  | 'TLOG_PROOF_INVALID'
  /** A proof was asked for sizes or indices the tree cannot have (index beyond size, size1 > size2). */
  | 'TLOG_RANGE_INVALID'
  /** A signed note (checkpoint, cosignature) could not be parsed. */
  | 'TLOG_NOTE_MALFORMED'
  /** No known key verified a signed note, or a known key's signature was bad. */
  | 'TLOG_NOTE_UNVERIFIED'
  /** A checkpoint body does not follow C2SP tlog-checkpoint. */
  | 'TLOG_CHECKPOINT_MALFORMED'
  /** A verified checkpoint names another log (its origin line is not the one expected). */
  | 'TLOG_CHECKPOINT_ORIGIN_MISMATCH'
  /** Two checkpoints of one log cannot both be true: a split view or a rewritten history. */
  | 'TLOG_CHECKPOINT_INCONSISTENT'
  /** The database holds a log of another origin than the one configured. */
  | 'TLOG_ORIGIN_MISMATCH'
  /** An append was refused because the client sent too many (retry after details.retryAfter). */
  | 'TLOG_RATE_LIMITED'
  /** A vkey, key name or key type is not usable. */
  | 'TLOG_KEY_INVALID'
  /** A tile path or tile body does not follow C2SP tlog-tiles. */
  | 'TLOG_TILE_INVALID'
  /** A proposed entry is malformed or of an unknown kind. */
  | 'TLOG_ENTRY_MALFORMED'
  /** A proposed entry's signature does not verify over its digest or envelope. */
  | 'TLOG_ENTRY_SIGNATURE_INVALID'
  /** A proposed entry is bigger than the log accepts. */
  | 'TLOG_ENTRY_TOO_LARGE'
  /** No entry at that index, hash or UUID. */
  | 'TLOG_ENTRY_NOT_FOUND'
  /** A witness request is malformed, or the witness refused it (see details.status). */
  | 'TLOG_WITNESS_REFUSED'
  /** A log or witness could not be fetched from: network, time-out, or an HTTP error status (details.status) after retries. */
  | 'TLOG_FETCH_FAILED'
  /** A log resource (checkpoint, tile, entry bundle) or witness answer is bigger than the client accepts. */
  | 'TLOG_FETCH_TOO_LARGE'
  /** A checkpoint archive or mirror history file is not in the documented format. */
  | 'TLOG_ARCHIVE_INVALID'
  /** An inclusion proof is for a tree size that no archived checkpoint has, so it cannot be checked offline. */
  | 'TLOG_CHECKPOINT_NOT_ARCHIVED';

export class TlogError extends CustodyError<TlogErrorCode> {}
