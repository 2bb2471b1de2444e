import {
  encodeEntryBundle,
  hashTile,
  MerkleTree,
  type StoredCheckpoint,
  type StoredEntry,
  TILE_WIDTH,
  type TlogEntryStore,
  TlogError,
} from '../../tlog/index.js';

/** A checkpoint the log has published (committed and signed). */
export interface PublishedCheckpoint {
  size: number;
  rootHash: Uint8Array;
  /** The signed note, with any witness cosignatures appended. */
  note: string;
}

/**
 * The reads of a transparency log: proofs, tiles, entries and checkpoints of what it has
 * published. An entry stored beyond the newest published checkpoint (another replica's batch not
 * yet caught up with) is not visible. The sequencer (log.ts) extends it.
 */
export abstract class PublishedLog {
  protected readonly tree = new MerkleTree();
  /** The largest checkpoint witnesses have cosigned in this process, once one has been. */
  protected cosigned: PublishedCheckpoint | undefined;

  protected constructor(
    protected readonly store: TlogEntryStore,
    protected latest: PublishedCheckpoint,
  ) {}

  /** The newest published checkpoint. */
  checkpoint(): PublishedCheckpoint {
    return this.latest;
  }

  /**
   * The checkpoint the tiles serve (`/tlog/checkpoint`): the largest one witnesses have cosigned,
   * so that clients see the cosignatures; before any has been (or without witnesses), the newest.
   * Newer checkpoints are one witnessing interval ahead of it and are on the log's API.
   */
  witnessedCheckpoint(): PublishedCheckpoint {
    return this.cosigned ?? this.latest;
  }

  get size(): number {
    return this.latest.size;
  }

  private checkSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.latest.size)
      throw new TlogError(
        'TLOG_RANGE_INVALID',
        `The log has published a tree of ${this.latest.size} entries; size ${size} is not one of its trees.`,
        { details: { size, published: this.latest.size } },
      );
  }

  inclusionProof(index: number, size = this.latest.size): Uint8Array[] {
    this.checkSize(size);
    return this.tree.inclusionProof(index, size);
  }

  consistencyProof(size1: number, size2 = this.latest.size): Uint8Array[] {
    this.checkSize(size2);
    return this.tree.consistencyProof(size1, size2);
  }

  rootAt(size: number): Uint8Array {
    this.checkSize(size);
    return this.tree.root(size);
  }

  /**
   * The body of hash tile (level, index) at `width`, if the published tree holds it: a full tile
   * once complete, or the partial tile of exactly the published width.
   */
  hashTile(level: number, index: number, width: number): Uint8Array | undefined {
    // Nodes at Merkle level 8·level that the published tree holds. A tile of any width up to
    // that count is immutable (an older partial width included), so any of them may be served.
    const count = Math.floor(this.latest.size / TILE_WIDTH ** level);
    if (width < 1 || width > TILE_WIDTH || index * TILE_WIDTH + width > count) return undefined;
    return hashTile(this.tree, level, index, width);
  }

  /** Entry bundle `index` of `width` entries, if the published tree holds them. */
  async entryBundle(index: number, width: number): Promise<Uint8Array | undefined> {
    const from = index * TILE_WIDTH;
    if (width < 1 || width > TILE_WIDTH || from + width > this.latest.size) return undefined;
    const bodies = await this.store.reader.bodies(from, from + width);
    if (bodies.length !== width) return undefined;
    return encodeEntryBundle(bodies);
  }

  async entryAt(index: number): Promise<StoredEntry | undefined> {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.latest.size) return undefined;
    return this.store.reader.entryAt(index);
  }

  async entryByLeafHash(leafHash: Uint8Array): Promise<StoredEntry | undefined> {
    const e = await this.store.reader.entryByLeafHash(leafHash);
    return e !== undefined && e.idx < this.latest.size ? e : undefined;
  }

  /** Published entries about one subject digest, oldest first. */
  async entriesBySubject(subject: string, limit: number): Promise<StoredEntry[]> {
    const rows = await this.store.reader.entriesBySubject(subject, limit);
    return rows.filter((r) => r.idx < this.latest.size);
  }

  /** The signed checkpoint of a published size, if a batch ended there. */
  async checkpointAt(size: number): Promise<PublishedCheckpoint | undefined> {
    if (size === this.latest.size) return this.latest;
    if (!Number.isSafeInteger(size) || size < 0 || size > this.latest.size) return undefined;
    const row = await this.store.reader.checkpointAt(size);
    return row === undefined ? undefined : published(row);
  }

  /** Signed checkpoints from a size or a time on (the auditor's archive). */
  async checkpointsSince(since: { size?: number; at?: string }, limit = 10_000) {
    const rows = await this.store.reader.checkpointsSince(since, limit);
    // A batch committed but not yet synced (SQLite) is not published until it is on disk.
    return rows.filter((r) => r.size <= this.latest.size).map(published);
  }
}

/** A stored checkpoint as served: the note with its cosignatures. */
export function published(cp: StoredCheckpoint): PublishedCheckpoint {
  return { size: cp.size, rootHash: cp.rootHash, note: cp.note + cp.cosignatures };
}
