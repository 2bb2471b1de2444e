import { randomUUID } from 'node:crypto';
import { type RawBuilder, type Selectable, sql } from 'kysely';
import type { Db } from '../db.js';
import type { JobTable } from '../schema.js';
import {
  checkJobName,
  type EnqueueOptions,
  type FailedJob,
  type JobHandler,
  type JobQueue,
  type JobState,
  type JobStatus,
  retryDelayMs,
  tell,
} from './ports.js';

export interface SqliteJobQueueOptions {
  /** How often an idle worker looks for due jobs (retries whose delay is over). Default 250 ms. */
  pollMs?: number;
  /** Finished jobs are deleted this long after they finished. Default 7 days. */
  keepFinishedMs?: number;
  now?: () => number;
  random?: () => number;
}

/**
 * The in-process job runner for the embedded SQLite database: jobs are rows of `jobs`, so a
 * restart resumes them. Only one process may run workers on a data directory (the service);
 * `start` therefore hands jobs a crashed run left `active` back to the queue.
 */
export class SqliteJobQueue implements JobQueue {
  readonly driver = 'sqlite' as const;
  private readonly workers = new Map<string, Worker>();
  private readonly listeners: ((job: FailedJob) => void | Promise<void>)[] = [];
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly pollMs: number;
  private stopped = false;

  private constructor(
    private readonly db: Db,
    o: SqliteJobQueueOptions,
  ) {
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
    this.pollMs = o.pollMs ?? 250;
  }

  /** Open the queue: jobs a previous run left running go back to the queue; old ones go. */
  static async start(db: Db, o: SqliteJobQueueOptions = {}): Promise<SqliteJobQueue> {
    const q = new SqliteJobQueue(db, o);
    const at = q.iso(q.now());
    await db.kysely
      .updateTable('jobs')
      .set({ state: 'retry', start_after: at })
      .where('state', '=', 'active')
      .execute();
    const before = q.iso(q.now() - (o.keepFinishedMs ?? 7 * 24 * 3600 * 1000));
    await db.kysely
      .deleteFrom('jobs')
      .where('state', 'in', ['completed', 'failed', 'cancelled'])
      .where('completed_at', '<', before)
      .execute();
    return q;
  }

  async enqueue<T extends object>(
    name: string,
    data: T,
    o: EnqueueOptions,
  ): Promise<string | null> {
    checkJobName(name);
    const row = this.row(name, data, o.singletonKey, o);
    const inserted = await this.db.kysely
      .insertInto('jobs')
      .values(row)
      .onConflict((c) => c.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return null;
    this.workers.get(name)?.wake();
    return row.id;
  }

  async enqueueMany<T extends object>(
    name: string,
    jobs: readonly { data: T; singletonKey?: string }[],
    o: Omit<EnqueueOptions, 'singletonKey'>,
  ): Promise<void> {
    checkJobName(name);
    if (jobs.length === 0) return;
    const rows = jobs.map((j) => this.row(name, j.data, j.singletonKey, o));
    // A transaction per ENQUEUE_COMMIT rows: with synchronous = FULL each commit is an fsync,
    // and a sweep of 10,000 jobs one commit each took seconds of the writer connection; in one
    // transaction it held the connection (and /healthz, which asks it) for a quarter second.
    for (let i = 0; i < rows.length; i += ENQUEUE_COMMIT) {
      if (i > 0) await new Promise<void>((r) => setImmediate(r));
      await this.db.kysely.transaction().execute(async (trx) => {
        for (let k = i; k < Math.min(rows.length, i + ENQUEUE_COMMIT); k += ENQUEUE_CHUNK)
          await trx
            .insertInto('jobs')
            .values(rows.slice(k, Math.min(k + ENQUEUE_CHUNK, i + ENQUEUE_COMMIT)))
            .onConflict((c) => c.doNothing())
            .execute();
      });
    }
    this.workers.get(name)?.wake();
  }

  private row(
    name: string,
    data: object,
    singletonKey: string | undefined,
    o: Omit<EnqueueOptions, 'singletonKey'>,
  ) {
    const at = this.iso(this.now());
    return {
      id: randomUUID(),
      name,
      data: JSON.stringify(data),
      state: 'created',
      singleton_key: singletonKey ?? null,
      retry_limit: o.retryLimit,
      retry_count: 0,
      retry_delay: o.retryDelaySeconds ?? 0,
      retry_backoff: o.retryBackoff ? 1 : 0,
      start_after: at,
      created_at: at,
      started_at: null,
      completed_at: null,
      last_error: null,
    };
  }

  async work<T extends object>(name: string, handler: JobHandler<T>): Promise<void> {
    checkJobName(name);
    if (this.workers.has(name)) throw new Error(`a worker for ${name} is already running`);
    const w = new Worker(() => this.runBatch(name, handler as JobHandler<unknown>), this.pollMs);
    this.workers.set(name, w);
    if (!this.stopped) w.wake();
  }

  onFailed(listener: (job: FailedJob) => void | Promise<void>): void {
    this.listeners.push(listener);
  }

  async get(name: string, id: string): Promise<JobStatus | undefined> {
    const r = await this.db.kysely
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', id)
      .where('name', '=', name)
      .executeTakeFirst();
    if (!r) return undefined;
    return {
      id: r.id,
      name: r.name,
      state: r.state as JobState,
      data: JSON.parse(r.data) as unknown,
      retryCount: r.retry_count,
      retryLimit: r.retry_limit,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
  }

  /**
   * Claim the next due jobs of `name` (up to CLAIM_BATCH, in one statement) and run them one at a
   * time; false when none was due. Completions are written together after the batch: a crash in
   * between runs those jobs again, which at-least-once allows. Jobs claimed but not started when
   * the queue stops go back to the queue as they were.
   */
  private async runBatch(name: string, handler: JobHandler<unknown>): Promise<boolean> {
    const at = this.iso(this.now());
    const claimed = (await claimDue(this.db, name, at, CLAIM_BATCH)).sort(dueOrder);
    if (claimed.length === 0) return false;
    const completed: string[] = [];
    let next = 0;
    try {
      for (; next < claimed.length && !this.stopped; next++) {
        const job = claimed[next] as ClaimedJob;
        if (await this.runJob(name, handler, job)) completed.push(job.id);
        // Give the event loop a turn: the store's calls resolve without I/O, and a backlog
        // worked off back to back would otherwise hold HTTP answers (/healthz) until it is done.
        await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      if (completed.length > 0)
        await this.db.kysely
          .updateTable('jobs')
          .set({ state: 'completed', completed_at: this.iso(this.now()), last_error: null })
          .where('id', 'in', completed)
          .execute();
      // RETURNING gives the claimed row ('active'): a job with retries made was waiting as a retry.
      for (const state of ['created', 'retry'] as const) {
        const back = claimed
          .slice(next)
          .filter((j) => (j.retry_count > 0 ? 'retry' : 'created') === state)
          .map((j) => j.id);
        if (back.length > 0)
          await this.db.kysely
            .updateTable('jobs')
            .set({ state, started_at: null })
            .where('id', 'in', back)
            .where('state', '=', 'active')
            .execute();
      }
    }
    return true;
  }

  /** Run one claimed job; true when it succeeded (its completion is written with the batch's). */
  private async runJob(
    name: string,
    handler: JobHandler<unknown>,
    job: ClaimedJob,
  ): Promise<boolean> {
    try {
      await handler({
        id: job.id,
        name,
        data: JSON.parse(job.data) as unknown,
        attempt: job.retry_count + 1,
        retryLimit: job.retry_limit,
      });
      return true;
    } catch (e) {
      const error = (e as Error)?.message ?? String(e);
      if (job.retry_count < job.retry_limit) {
        const retry = job.retry_count + 1;
        const delay = retryDelayMs(
          retry,
          { retryDelaySeconds: job.retry_delay, retryBackoff: job.retry_backoff === 1 },
          this.random,
        );
        await this.db.kysely
          .updateTable('jobs')
          .set({
            state: 'retry',
            retry_count: retry,
            start_after: this.iso(this.now() + delay),
            last_error: error,
          })
          .where('id', '=', job.id)
          .execute();
      } else {
        await this.db.kysely
          .updateTable('jobs')
          .set({ state: 'failed', completed_at: this.iso(this.now()), last_error: error })
          .where('id', '=', job.id)
          .execute();
        await tell(this.listeners, {
          id: job.id,
          name,
          data: JSON.parse(job.data) as unknown,
          error,
          attempts: job.retry_count + 1,
        });
      }
      return false;
    }
  }

  private iso(ms: number): string {
    return new Date(ms).toISOString();
  }
}

/** Jobs one claim takes: a backlog's claims and completions then cost one commit per batch. */
export const CLAIM_BATCH = 32;

/** Rows of one multi-row insert (SQLite allows 32,766 parameters; a job row has 14). */
const ENQUEUE_CHUNK = 250;

/** Rows enqueueMany commits at a time, giving the event loop a turn between. */
const ENQUEUE_COMMIT = 1000;

type ClaimedJob = JobRow & { seq: number };
type JobRow = Selectable<JobTable>;

/**
 * The claim, as SQL of its own so that its plan can be checked (test/store/jobs-claim.test.ts):
 * the states are literals because SQLite uses the partial index `jobs_ready` (migration 0027)
 * only when the query's WHERE repeats the index's own; the index then yields due jobs in
 * (start_after, created_at, rowid) order and the LIMIT stops the scan, so a claim costs the same
 * with ten jobs waiting or ten thousand. Before it, every claim sorted all waiting jobs.
 */
export function claimQuery(name: string, at: string, limit: number): RawBuilder<ClaimedJob> {
  return sql<ClaimedJob>`update jobs set state = 'active', started_at = ${at}
    where id in (select id from jobs
      where name = ${name} and state in ('created', 'retry') and start_after <= ${at}
      order by start_after, created_at, rowid limit ${limit})
    returning rowid as seq, *`;
}

async function claimDue(db: Db, name: string, at: string, limit: number): Promise<ClaimedJob[]> {
  return (await claimQuery(name, at, limit).execute(db.kysely)).rows;
}

/** The claim's order (RETURNING gives rows in no promised order). */
function dueOrder(a: ClaimedJob, b: ClaimedJob): number {
  if (a.start_after !== b.start_after) return a.start_after < b.start_after ? -1 : 1;
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1;
  return a.seq - b.seq;
}

/** One polling loop per job name: runs due jobs back to back, then sleeps until woken or polled. */
class Worker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly step: () => Promise<boolean>,
    private readonly pollMs: number,
  ) {}

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.wake();
      } else {
        this.timer = setTimeout(() => this.wake(), this.pollMs);
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (!this.stopped && (await this.step())) {
        // next job
      }
    } catch {
      // The database refused a claim (busy, closing): the next poll tries again.
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
