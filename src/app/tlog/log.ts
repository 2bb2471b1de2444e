import type { KeyObject } from 'node:crypto';
import type { LogKey } from '../../fs/log-key-file.js';
import type { Db } from '../../store/db.js';
import { createTlogStore } from '../../store/tlog.js';
import {
  assertTreeMatches,
  catchUp,
  EMPTY_ROOT,
  ecdsaNoteSigner,
  ed25519NoteSigner,
  formatVerifierKey,
  integrateBatch,
  type NoteSigner,
  type SequencedEntryInput,
  signCheckpoint,
  type TlogEntryStore,
  TlogError,
} from '../../tlog/index.js';
import { type PublishedCheckpoint, PublishedLog, published } from './published-log.js';

export interface Appended {
  index: number;
  integratedTime: number;
  /** True when the entry was already in the log: `index` and `integratedTime` are the first ones. */
  duplicate: boolean;
  /** The checkpoint of the batch that sequenced it (or the newest, for a duplicate). */
  checkpoint: PublishedCheckpoint;
}

export interface TransparencyLogOptions {
  db: Db;
  origin: string;
  key: LogKey;
  clock?: () => Date;
  /** Most entries sequenced in one transaction. */
  maxBatch?: number;
  /** Called after each checkpoint is committed (witnessing, metrics). */
  onCheckpoint?: (cp: PublishedCheckpoint) => void;
}

interface Pending {
  entry: SequencedEntryInput;
  resolve: (a: Appended) => void;
  reject: (e: unknown) => void;
}

/**
 * The transparency log: an RFC 6962 tree over the stored entries, a sequencer that commits
 * appends in batches with one signed checkpoint per batch, and (from PublishedLog) the reads.
 * The batch step itself is `integrateBatch` (src/tlog/sequence.ts); storage is the log's port,
 * implemented in src/store/tlog.ts.
 *
 * Sequencing is group commit: appends that arrive while a batch is being written wait for the
 * next one, so an idle log answers at once and a busy one pays one transaction and one signature
 * per batch. An append is answered only after its batch has committed: whatever crashes after
 * that, the entry and its checkpoint are on disk, and whatever crashes before it, neither is.
 *
 * The tree lives in memory (about 64 bytes per entry) and is rebuilt from the leaf hashes at
 * start. Several replicas may share one PostgreSQL database: each batch locks the state row and
 * first catches up with what other replicas sequenced.
 */
export class TransparencyLog extends PublishedLog {
  readonly origin: string;
  readonly publicKey: KeyObject;
  readonly keyType: LogKey['type'];
  /** The C2SP verifier key: `origin+keyid+base64(type||key)`. */
  readonly vkey: string;
  private readonly signer: NoteSigner;
  private readonly clock: () => Date;
  private readonly maxBatch: number;
  private queue: Pending[] = [];
  private sequencing: Promise<void> | undefined;
  private lastRefresh = 0;
  private closed = false;

  private constructor(
    private readonly opts: TransparencyLogOptions,
    store: TlogEntryStore,
    latest: PublishedCheckpoint,
  ) {
    super(store, latest);
    this.origin = opts.origin;
    this.publicKey = opts.key.publicKey;
    this.keyType = opts.key.type;
    this.signer = noteSigner(opts);
    this.vkey = formatVerifierKey(opts.origin, opts.key.publicKey);
    this.clock = opts.clock ?? (() => new Date());
    this.maxBatch = opts.maxBatch ?? 1024;
  }

  /**
   * Open the log in `db`, creating it (with a signed checkpoint of the empty tree) on first use.
   * @throws TlogError TLOG_ORIGIN_MISMATCH when the database holds a log of another origin
   */
  static async open(opts: TransparencyLogOptions): Promise<TransparencyLog> {
    const store = createTlogStore(opts.db);
    let state = await store.primary.readState();
    if (state === undefined) {
      const now = (opts.clock ?? (() => new Date()))();
      const note = signCheckpoint(
        { origin: opts.origin, size: 0, rootHash: EMPTY_ROOT, extensions: [] },
        [noteSigner(opts)],
      );
      await store.createLog(opts.origin, {
        size: 0,
        rootHash: EMPTY_ROOT,
        note,
        cosignatures: '',
        createdAt: now.toISOString(),
      });
      state = await store.primary.readState();
    }
    if (state === undefined) throw new Error('the transparency log state could not be created');
    if (state.origin !== opts.origin)
      throw new TlogError(
        'TLOG_ORIGIN_MISMATCH',
        `This database holds the log "${state.origin}", not "${opts.origin}". A log's origin never changes: set CUSTODY_TLOG_ORIGIN=${state.origin}, or use another database for a new log.`,
        { details: { stored: state.origin, configured: opts.origin } },
      );
    const cp = await store.primary.latestCheckpoint();
    if (cp === undefined) throw new Error('the transparency log has no checkpoint');
    const log = new TransparencyLog(opts, store, published(cp));
    await catchUp(log.tree, store.primary, cp.size);
    assertTreeMatches(log.tree, cp);
    return log;
  }

  /**
   * Add an entry (checked by the caller). Resolves once it is durable, with its index and the
   * checkpoint that includes it; the same entry again resolves to its first index.
   */
  append(entry: SequencedEntryInput): Promise<Appended> {
    if (this.closed) return Promise.reject(new Error('the transparency log is closed'));
    return new Promise<Appended>((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      if (this.sequencing === undefined) {
        // Let the appends that arrive in the same turn of the event loop join the first batch.
        this.sequencing = new Promise<void>((done) => setImmediate(() => done())).then(() =>
          this.drain(),
        );
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          await this.sequence(batch);
        } catch (e) {
          for (const p of batch) p.reject(e);
        }
      }
    } finally {
      this.sequencing = undefined;
    }
  }

  private async sequence(batch: Pending[]): Promise<void> {
    const { entries, checkpoint } = await integrateBatch(
      this.store,
      this.tree,
      batch.map((p) => p.entry),
      { origin: this.origin, signer: this.signer, now: this.clock() },
    );
    if (checkpoint !== undefined) {
      this.latest = published(checkpoint);
      this.opts.onCheckpoint?.(this.latest);
    } else if (this.tree.size > this.latest.size) {
      // Caught up with another replica's entries: its newest checkpoint is ours to serve.
      const newest = await this.store.primary.latestCheckpoint();
      if (newest !== undefined && newest.size > this.latest.size) this.latest = published(newest);
    }
    for (const [i, p] of batch.entries()) {
      const at = entries[i];
      if (at === undefined) {
        p.reject(new Error('the sequencer lost an entry'));
        continue;
      }
      p.resolve({
        index: at.idx,
        integratedTime: at.integratedTime,
        duplicate: at.duplicate,
        checkpoint: this.latest,
      });
    }
  }

  /**
   * Catch up with entries other replicas sequenced (PostgreSQL with several replicas). Cheap when
   * nothing changed: one indexed read, at most once per `everyMs`.
   */
  async refresh(everyMs = 1000): Promise<void> {
    const now = Date.now();
    if (now - this.lastRefresh < everyMs) return;
    this.lastRefresh = now;
    const cp = await this.store.reader.latestCheckpoint();
    if (cp === undefined || cp.size <= this.latest.size) return;
    if (this.sequencing !== undefined) return; // the sequencer catches up itself
    await catchUp(this.tree, this.store.reader, cp.size);
    this.latest = published(cp);
  }

  /**
   * Append witness cosignature lines (already verified) to a published checkpoint, which becomes
   * the witnessed checkpoint when it is the largest cosigned so far.
   */
  async addCosignatures(size: number, lines: string): Promise<void> {
    if (lines === '') return;
    await this.store.addCosignatures(size, lines);
    if (this.latest.size === size) this.latest = { ...this.latest, note: this.latest.note + lines };
    const stored = await this.store.primary.checkpointAt(size);
    if (stored !== undefined && (this.cosigned === undefined || size >= this.cosigned.size))
      this.cosigned = published(stored);
  }

  /** Wait for the appends already queued, then refuse new ones. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.sequencing !== undefined) await this.sequencing;
    await this.store.close?.();
  }
}

function noteSigner(o: Pick<TransparencyLogOptions, 'origin' | 'key'>): NoteSigner {
  return o.key.type === 'ed25519'
    ? ed25519NoteSigner(o.origin, o.key.privateKey)
    : ecdsaNoteSigner(o.origin, o.key.privateKey);
}
