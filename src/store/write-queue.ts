import type SqliteDatabase from 'better-sqlite3';
import type { Kysely, Transaction } from 'kysely';
import { type DeferredAudit, deferAuditOn, insertAuditRows } from './audit.js';
import type { Database } from './schema.js';
import { WalSync } from './wal-sync.js';

interface Job {
  work: (trx: Transaction<Database>) => Promise<unknown>;
  undo: (() => void | Promise<void>) | undefined;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for ingests. Writes that arrive while a transaction is running are queued and run
 * together in the next one, each inside its own savepoint: a failing write is rolled back alone,
 * the others commit together. The cost of a commit (the WAL write in SQLite, the fsync in
 * PostgreSQL) is then paid once per batch instead of once per SBOM, and an idle service adds no
 * delay, because a write that finds the queue empty starts at once.
 */
export interface WriteQueueOptions {
  /** The most writes one transaction takes. */
  maxBatch?: number;
  /**
   * Run as the last statement of a batch in which at least one write succeeded, before the
   * commit (the store moves the write generation here). When it throws, the batch fails whole.
   */
  beforeCommit?: (trx: Transaction<Database>) => Promise<void>;
  /**
   * The connection's SQLite handle: in WAL mode a batch then commits without the fsync on the
   * event loop, and its writes are answered once the WAL is synced on the thread pool
   * (store/wal-sync.ts). Meanwhile the next batch runs.
   */
  sqlite?: SqliteDatabase.Database | undefined;
  /** Test seam: how the WAL is made durable (default: fdatasync). */
  syncWal?: (walPath: string) => Promise<void>;
}

export class WriteQueue {
  private readonly pending: Job[] = [];
  private draining = false;
  private readonly maxBatch: number;
  private readonly beforeCommit: WriteQueueOptions['beforeCommit'];
  private readonly wal: WalSync | undefined;
  /** Batches committed, waiting for their sync before they are answered. */
  private readonly settling = new Set<Promise<void>>();

  constructor(
    private readonly db: Kysely<Database>,
    options: WriteQueueOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 16;
    this.beforeCommit = options.beforeCommit;
    this.wal = options.sqlite ? WalSync.of(options.sqlite, options.syncWal) : undefined;
  }

  /** Wait for the batches in flight to be answered, and let go of the WAL. */
  async close(): Promise<void> {
    while (this.draining || this.settling.size > 0) {
      await Promise.allSettled([...this.settling]);
      if (this.draining) await new Promise((r) => setTimeout(r, 1));
    }
    await this.wal?.close();
  }

  /**
   * Run `work` in a transaction (shared with other queued writes). `undo` reverses side effects
   * outside the database (a blob written) when the work does not commit; it runs after the batch
   * has settled, so it can check what did commit.
   */
  run<T>(
    work: (trx: Transaction<Database>) => Promise<T>,
    undo?: () => void | Promise<void>,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, undo, resolve: resolve as (v: unknown) => void, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.length > 0) await this.runBatch(this.pending.splice(0, this.maxBatch));
    } finally {
      this.draining = false;
    }
  }

  private async runBatch(batch: Job[]): Promise<void> {
    const outcomes = new Map<Job, { ok: true; value: unknown } | { ok: false; error: unknown }>();
    const wal = this.wal;
    let committedAll: boolean;
    try {
      // The connection (Kysely's mutex) is held from before BEGIN to after the setting is
      // restored: no other transaction on it can commit under the lowered setting.
      committedAll = wal
        ? await this.db
            .connection()
            .execute((conn) => wal.unsynced(() => this.commitBatch(conn, batch, outcomes)))
        : await this.commitBatch(this.db, batch, outcomes);
    } catch (error) {
      for (const job of batch) outcomes.set(job, { ok: false, error });
      committedAll = false;
    }
    if (!committedAll) {
      await this.settle(batch, outcomes);
      return;
    }
    const committed = batch.filter((job) => outcomes.get(job)?.ok);
    // The failed ones are answered now, before the next batch: their undo sees what committed.
    await this.settle(
      batch.filter((job) => !outcomes.get(job)?.ok),
      outcomes,
    );
    if (!wal) {
      await this.settle(committed, outcomes);
      return;
    }
    // The others once the WAL is on disk, while the next batch runs. Every batch syncs, even one
    // of duplicates that wrote nothing: what it answers with may be an earlier batch's rows
    // whose own sync has not finished (or failed), and a sync covers every commit before it.
    // A failed sync answers nobody with success: the rows may be there, a retry finds them.
    const settled: Promise<void> = wal
      .sync()
      .then(
        () => undefined,
        (error: unknown) => {
          for (const job of committed) outcomes.set(job, { ok: false, error });
        },
      )
      .then(() => this.settle(committed, outcomes))
      .finally(() => this.settling.delete(settled));
    this.settling.add(settled);
  }

  /** One transaction for the batch, each write in its own savepoint; false when it failed whole. */
  private async commitBatch(
    db: Kysely<Database>,
    batch: Job[],
    outcomes: Map<Job, { ok: true; value: unknown } | { ok: false; error: unknown }>,
  ): Promise<boolean> {
    let trx: Awaited<ReturnType<ReturnType<Kysely<Database>['startTransaction']>['execute']>>;
    try {
      trx = await db.startTransaction().execute();
      // The batch's audit rows, inserted together before the commit (store/audit.ts).
      const audited: DeferredAudit[] = [];
      for (const [i, job] of batch.entries()) {
        const name = `w${i}`;
        const sp = await trx.savepoint(name).execute();
        const own: DeferredAudit[] = [];
        deferAuditOn(sp, own);
        try {
          outcomes.set(job, { ok: true, value: await job.work(sp) });
          await sp.releaseSavepoint(name).execute();
          audited.push(...own);
        } catch (error) {
          await sp.rollbackToSavepoint(name).execute();
          await sp.releaseSavepoint(name).execute();
          outcomes.set(job, { ok: false, error });
        }
      }
      await insertAuditRows(trx, audited);
      if (this.beforeCommit && [...outcomes.values()].some((o) => o.ok)) {
        await this.beforeCommit(trx);
      }
      await trx.commit().execute();
      return true;
    } catch (error) {
      // The transaction itself failed (connection lost, commit refused): none of it stands.
      try {
        // biome-ignore lint/style/noNonNullAssertion: set unless startTransaction threw, and then rollback is moot
        await trx!.rollback().execute();
      } catch {
        // gone with the connection
      }
      for (const job of batch) outcomes.set(job, { ok: false, error });
      return false;
    }
  }

  private async settle(
    batch: Job[],
    outcomes: Map<Job, { ok: true; value: unknown } | { ok: false; error: unknown }>,
  ): Promise<void> {
    for (const job of batch) {
      const o = outcomes.get(job);
      if (o?.ok) {
        job.resolve(o.value);
        continue;
      }
      try {
        await job.undo?.();
      } catch {
        // undo is best effort: at worst an unreferenced blob stays behind
      }
      job.reject(o?.error);
    }
  }
}
