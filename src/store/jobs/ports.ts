/**
 * The job queue: background work that must survive a restart and be retried when it fails
 * (trigger actions, outgoing notifications, re-matching the portfolio). One interface, two
 * drivers: pg-boss on PostgreSQL (any replica claims a job) and an in-process runner that keeps
 * its jobs in a table of the embedded SQLite database. test/contract/job-queue.ts runs the same
 * suite against both.
 *
 * Contract:
 * - `enqueue` is durable when it resolves: a job enqueued and not yet completed runs after a
 *   restart.
 * - A job runs at least once. A handler that throws is retried up to `retryLimit` more times,
 *   `retryDelaySeconds` apart (doubled each time, with jitter, when `retryBackoff`); after the
 *   last attempt the job is `failed` and every `onFailed` listener is told once.
 * - `singletonKey`: a job name holds at most one job per key for as long as the queue keeps
 *   jobs (finished ones too); enqueueing the same key again returns `null` and adds nothing. That
 *   makes "enqueue after commit" safe to repeat.
 * - Handlers must be idempotent (at-least-once: a process that dies mid-job runs it again).
 */
export interface JobQueue {
  /** `pg-boss` or `sqlite` (the in-process runner). */
  readonly driver: 'pg-boss' | 'sqlite';
  /**
   * Add a job; resolves with its id, or `null` when `singletonKey` names a job already there.
   * Job names are letters, digits, `-` and `_`.
   */
  enqueue<T extends object>(name: string, data: T, o: EnqueueOptions): Promise<string | null>;
  /**
   * Add several jobs of one name in a few writes (a sweep's backlog: a commit per thousand jobs
   * or so instead of one per job), durable when it resolves; when it rejects, some may have been
   * added. A job whose `singletonKey` names a job already there is left out, as `enqueue` would
   * leave it.
   */
  enqueueMany<T extends object>(
    name: string,
    jobs: readonly { data: T; singletonKey?: string }[],
    o: Omit<EnqueueOptions, 'singletonKey'>,
  ): Promise<void>;
  /** Run `handler` for every job of `name` (one at a time per name and process). */
  work<T extends object>(name: string, handler: JobHandler<T>): Promise<void>;
  /** Told when a job has failed for the last time (its retries spent). */
  onFailed(listener: (job: FailedJob) => void | Promise<void>): void;
  /** A job's state; undefined when unknown (or no longer kept). */
  get(name: string, id: string): Promise<JobStatus | undefined>;
  /** Stop taking jobs and wait for the running ones to finish. */
  stop(): Promise<void>;
}

export interface EnqueueOptions {
  singletonKey?: string;
  /** Attempts after the first. */
  retryLimit: number;
  /** Base delay before a retry, whole seconds; default 0 (with `retryBackoff`: at least 1). */
  retryDelaySeconds?: number;
  retryBackoff: boolean;
}

export interface Job<T> {
  id: string;
  name: string;
  data: T;
  /** 1 for the first run, 2 for the first retry, … */
  attempt: number;
  retryLimit: number;
}

export type JobHandler<T> = (job: Job<T>) => Promise<void>;

export interface FailedJob {
  id: string;
  name: string;
  data: unknown;
  /** The last attempt's error message. */
  error: string;
  attempts: number;
}

export type JobState = 'created' | 'retry' | 'active' | 'completed' | 'failed' | 'cancelled';

export interface JobStatus {
  id: string;
  name: string;
  state: JobState;
  data: unknown;
  /** Retries made so far (0 before the first retry). */
  retryCount: number;
  retryLimit: number;
}

/** Queue names the drivers accept (pg-boss's rule, kept on SQLite too). */
export const JOB_NAME = /^[A-Za-z0-9_-]{1,100}$/;

export function checkJobName(name: string): void {
  if (!JOB_NAME.test(name)) {
    throw new TypeError(`job name ${JSON.stringify(name)}: letters, digits, - and _ only`);
  }
}

/** The delay before retry `retry` (1-based), as both drivers compute it, in milliseconds. */
export function retryDelayMs(
  retry: number,
  o: { retryDelaySeconds: number; retryBackoff: boolean },
  random: () => number = Math.random,
): number {
  if (!o.retryBackoff) return o.retryDelaySeconds * 1000;
  // pg-boss: delay · 2^retry / 2, plus up to as much again at random.
  const base = (Math.max(1, o.retryDelaySeconds) * 2 ** Math.min(16, retry)) / 2;
  return Math.round((base + base * random()) * 1000);
}

/** Listeners are told in turn; one that fails does not keep the others from hearing. */
export async function tell(
  listeners: readonly ((job: FailedJob) => void | Promise<void>)[],
  job: FailedJob,
): Promise<void> {
  for (const l of listeners) {
    try {
      await l(job);
    } catch {
      // An alert that cannot be raised must not fail the queue; the job row says "failed".
    }
  }
}
