import { randomUUID } from 'node:crypto';
import type { Db } from '../db.js';
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
    const id = randomUUID();
    const at = this.iso(this.now());
    const inserted = await this.db.kysely
      .insertInto('jobs')
      .values({
        id,
        name,
        data: JSON.stringify(data),
        state: 'created',
        singleton_key: o.singletonKey ?? null,
        retry_limit: o.retryLimit,
        retry_count: 0,
        retry_delay: o.retryDelaySeconds ?? 0,
        retry_backoff: o.retryBackoff ? 1 : 0,
        start_after: at,
        created_at: at,
        started_at: null,
        completed_at: null,
        last_error: null,
      })
      .onConflict((c) => c.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return null;
    this.workers.get(name)?.wake();
    return id;
  }

  async work<T extends object>(name: string, handler: JobHandler<T>): Promise<void> {
    checkJobName(name);
    if (this.workers.has(name)) throw new Error(`a worker for ${name} is already running`);
    const w = new Worker(() => this.runOne(name, handler as JobHandler<unknown>), this.pollMs);
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

  /** Claim the next due job of `name` and run it; false when none is due. */
  private async runOne(name: string, handler: JobHandler<unknown>): Promise<boolean> {
    const at = this.iso(this.now());
    const job = await this.db.kysely
      .updateTable('jobs')
      .set({ state: 'active', started_at: at })
      .where(
        'id',
        '=',
        this.db.kysely
          .selectFrom('jobs')
          .select('id')
          .where('name', '=', name)
          .where('state', 'in', ['created', 'retry'])
          .where('start_after', '<=', at)
          .orderBy('start_after')
          .orderBy('created_at')
          .limit(1),
      )
      .returningAll()
      .executeTakeFirst();
    if (!job) return false;
    try {
      await handler({
        id: job.id,
        name,
        data: JSON.parse(job.data) as unknown,
        attempt: job.retry_count + 1,
        retryLimit: job.retry_limit,
      });
      await this.db.kysely
        .updateTable('jobs')
        .set({ state: 'completed', completed_at: this.iso(this.now()), last_error: null })
        .where('id', '=', job.id)
        .execute();
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
    }
    return true;
  }

  private iso(ms: number): string {
    return new Date(ms).toISOString();
  }
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
