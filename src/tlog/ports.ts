/**
 * What the transparency log needs from storage. `src/store/tlog.ts` implements it on SQLite and
 * PostgreSQL; `test/contract/tlog-store.ts` holds every implementation to this contract.
 *
 * The tree itself is not stored: it is a function of the entries' leaf hashes in index order,
 * rebuilt in memory from `leafHashesFrom(0)`. Indices are dense: entry `i` exists for every
 * `i < size` of the state, and nothing is stored at or beyond it.
 */

/** The log's one state row: its origin and the tree head of the last committed batch. */
export interface LogState {
  origin: string;
  size: number;
  rootHash: Uint8Array;
}

/** One sequenced entry as stored. */
export interface StoredEntry {
  /** Its index in the tree (0-based, dense). */
  idx: number;
  /** H(0x00 || body): unique across the log. */
  leafHash: Uint8Array;
  kind: string;
  /** The leaf data: what the tree hashes and the entry bundle carries. */
  body: Uint8Array;
  /** POSIX seconds of the batch that sequenced it. */
  integratedTime: number;
  /** `sha256:…` of what the entry is about. */
  subject: string;
}

/** A checkpoint the log signed at the end of a batch. */
export interface StoredCheckpoint {
  size: number;
  rootHash: Uint8Array;
  /** The signed note as the log signed it. */
  note: string;
  /** Verified witness cosignature lines added later (`''` until then). */
  cosignatures: string;
  /** ISO 8601 time of signing. */
  createdAt: string;
}

/** Where a stored leaf sits: its first (and only) index and the time it was sequenced. */
export interface EntryPosition {
  idx: number;
  integratedTime: number;
}

/**
 * Reads of committed data. "Not found" is `undefined` (or an empty list), never an error; errors
 * mean the storage failed or is damaged.
 */
export interface TlogReader {
  /** The state row; undefined before `createLog`. */
  readState(): Promise<LogState | undefined>;
  /**
   * Leaf hashes from index `from` on, in index order, a page at a time, up to the last stored
   * entry. Throws when an index is missing: a gap is damage, not input.
   */
  leafHashesFrom(from: number): AsyncIterable<Uint8Array[]>;
  /** The checkpoint of the largest size. */
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  /** The checkpoint signed at exactly `size`, if a batch ended there. */
  checkpointAt(size: number): Promise<StoredCheckpoint | undefined>;
  /** Checkpoints of at least `since.size` and signed at or after `since.at`, smallest first. */
  checkpointsSince(
    since: { size?: number; at?: string },
    limit: number,
  ): Promise<StoredCheckpoint[]>;
  entryAt(idx: number): Promise<StoredEntry | undefined>;
  entryByLeafHash(leafHash: Uint8Array): Promise<StoredEntry | undefined>;
  /** Entries about one subject digest, smallest index first. */
  entriesBySubject(subject: string, limit: number): Promise<StoredEntry[]>;
  /** Bodies of entries [from, to) in index order; shorter when some are not stored. */
  bodies(from: number, to: number): Promise<Uint8Array[]>;
}

/**
 * The writes of one sequencing transaction. Nothing is visible to other readers until the
 * transaction commits, and nothing at all is left when it fails.
 */
export interface TlogBatchWriter {
  /**
   * The state row, locked until the transaction ends: a second sequencer (another replica on the
   * same PostgreSQL database) waits here, then sees what the first committed.
   */
  lockState(): Promise<LogState | undefined>;
  /** As `TlogReader.leafHashesFrom`, inside this transaction. */
  leafHashesFrom(from: number): AsyncIterable<Uint8Array[]>;
  /** Which of these leaf hashes are stored already: their position, keyed by lowercase hex. */
  findLeafHashes(hashes: readonly Uint8Array[]): Promise<Map<string, EntryPosition>>;
  /**
   * Store a batch: its entries (consecutive indices from the current size, leaf hashes not yet
   * stored), the new tree head (`checkpoint.size`, `checkpoint.rootHash`) and the checkpoint,
   * together. A leaf hash already stored fails the write (and so the whole transaction).
   */
  commitBatch(entries: readonly StoredEntry[], checkpoint: StoredCheckpoint): Promise<void>;
}

/** The log's storage. */
export interface TlogEntryStore {
  /** Reads on the connection that writes: they see this process's commits at once. */
  readonly primary: TlogReader;
  /** Reads for serving (on SQLite a second connection: the last committed state). */
  readonly reader: TlogReader;
  /**
   * Create the log: the state row (size 0) and its first checkpoint, in one transaction.
   * Idempotent: when a log exists (another replica created it first) it changes nothing.
   */
  createLog(origin: string, first: StoredCheckpoint): Promise<void>;
  /**
   * Run `f` as one transaction and resolve with its result once committed and durable (synced
   * to disk); when `f` throws, roll back and throw the same error.
   */
  inBatch<T>(f: (w: TlogBatchWriter) => Promise<T>): Promise<T>;
  /** Append cosignature lines (already verified) to the checkpoint of `size`; none there: no-op. */
  addCosignatures(size: number, lines: string): Promise<void>;
  /** Release what the store holds besides the database (once the last batch has settled). */
  close?(): Promise<void>;
}

// --- Following a log from outside, and witnessing ----------------------------------------------

/**
 * What following a log (mirror, monitor, archive) needs from the network. `TlogClient`
 * (src/net/tlog-client.ts) implements it; tests may pass anything that does. Every byte returned is untrusted until checked against a
 * verified checkpoint.
 */
export interface LogFetcher {
  /** The signed checkpoint as served. */
  readCheckpoint(): Promise<Uint8Array>;
  /** Hash tile `level/index` of `width` hashes (256 = full), exactly `width * 32` bytes. */
  readTile(level: number, index: number, width: number): Promise<Uint8Array>;
  /** Entry bundle `index` holding `width` entries (256 = full). */
  readEntryBundle(index: number, width: number): Promise<Uint8Array>;
}

/** The answer of a witness to an add-checkpoint request, whatever its status. */
export interface WitnessAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** Sends an add-checkpoint body to the witness at `url` (`postAddCheckpoint` in src/net). */
export type SubmitToWitness = (url: string, body: string) => Promise<WitnessAnswer>;
