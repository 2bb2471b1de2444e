import type { Kysely, Transaction } from 'kysely';
import { type DeferredAudit, deferAuditOn, insertAuditRows } from './audit.js';
import type { Database } from './schema.js';

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
}

export class WriteQueue {
  private readonly pending: Job[] = [];
  private draining = false;
  private readonly maxBatch: number;
  private readonly beforeCommit: WriteQueueOptions['beforeCommit'];

  constructor(
    private readonly db: Kysely<Database>,
    options: WriteQueueOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 16;
    this.beforeCommit = options.beforeCommit;
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
    let trx: Awaited<ReturnType<ReturnType<Kysely<Database>['startTransaction']>['execute']>>;
    try {
      trx = await this.db.startTransaction().execute();
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
    } catch (error) {
      // The transaction itself failed (connection lost, commit refused): none of it stands.
      try {
        // biome-ignore lint/style/noNonNullAssertion: set unless startTransaction threw, and then rollback is moot
        await trx!.rollback().execute();
      } catch {
        // gone with the connection
      }
      for (const job of batch) outcomes.set(job, { ok: false, error });
    }
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
