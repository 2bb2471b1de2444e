import { createHash } from 'node:crypto';
import PgBoss from 'pg-boss';
import {
  checkJobName,
  type EnqueueOptions,
  type FailedJob,
  type JobHandler,
  type JobQueue,
  type JobState,
  type JobStatus,
  tell,
} from './ports.js';

export interface PgBossQueueOptions {
  connectionString: string;
  /**
   * The PostgreSQL schema pg-boss keeps its tables in: the service's own (the first of its
   * search_path), so that a deployment, or a test with a private schema, holds everything in one.
   */
  schema: string;
  /**
   * How often an idle worker asks for jobs; pg-boss's minimum is 0.5 s. Default 1 s. A worker that
   * found a job asks again at once, and one of this process is woken by an enqueue here.
   */
  pollingIntervalSeconds?: number;
  /** pg-boss's own errors (maintenance, a lost connection), for the log. */
  onError?: (e: Error) => void;
}

/**
 * The job queue on PostgreSQL: pg-boss 10, so that any replica claims a job (SKIP LOCKED) and a
 * job whose replica died is retried when it expires. A singleton key becomes the job's id (a UUID
 * derived from name and key), so a second enqueue hits the primary key and adds nothing.
 */
export class PgBossQueue implements JobQueue {
  readonly driver = 'pg-boss' as const;
  private readonly queues = new Set<string>();
  /** This process's pg-boss worker per job name (to wake it). */
  private readonly workers = new Map<string, string>();
  private readonly listeners: ((job: FailedJob) => void | Promise<void>)[] = [];

  private constructor(
    private readonly boss: PgBoss,
    private readonly o: PgBossQueueOptions,
  ) {}

  /** Start pg-boss (creating or migrating its tables in `o.schema`). */
  static async start(o: PgBossQueueOptions): Promise<PgBossQueue> {
    const boss = new PgBoss({
      connectionString: o.connectionString,
      schema: o.schema,
      application_name: 'custody-jobs',
      max: 4,
      schedule: false,
    });
    boss.on('error', (e) => o.onError?.(e));
    await boss.start();
    return new PgBossQueue(boss, o);
  }

  async enqueue<T extends object>(
    name: string,
    data: T,
    o: EnqueueOptions,
  ): Promise<string | null> {
    await this.queue(name);
    const id = await this.boss.send(name, data, {
      ...(o.singletonKey !== undefined
        ? { id: keyUuid(name, o.singletonKey), singletonKey: o.singletonKey }
        : {}),
      retryLimit: o.retryLimit,
      retryDelay: o.retryDelaySeconds ?? 0,
      retryBackoff: o.retryBackoff,
    });
    // A worker of this process takes it now rather than at its next poll (others still poll).
    const worker = this.workers.get(name);
    if (id !== null && worker !== undefined) this.boss.notifyWorker(worker);
    return id;
  }

  async enqueueMany<T extends object>(
    name: string,
    jobs: readonly { data: T; singletonKey?: string }[],
    o: Omit<EnqueueOptions, 'singletonKey'>,
  ): Promise<void> {
    await this.queue(name);
    if (jobs.length === 0) return;
    // pg-boss's insert is one statement (json_to_recordset … ON CONFLICT DO NOTHING), so the
    // same derived id leaves a job already there alone, as send does.
    await this.boss.insert(
      jobs.map((j) => ({
        name,
        data: j.data,
        ...(j.singletonKey !== undefined
          ? { id: keyUuid(name, j.singletonKey), singletonKey: j.singletonKey }
          : {}),
        retryLimit: o.retryLimit,
        retryDelay: o.retryDelaySeconds ?? 0,
        retryBackoff: o.retryBackoff,
      })),
    );
    const worker = this.workers.get(name);
    if (worker !== undefined) this.boss.notifyWorker(worker);
  }

  async work<T extends object>(name: string, handler: JobHandler<T>): Promise<void> {
    await this.queue(name);
    const worker: string = await this.boss.work<T>(
      name,
      {
        // A fetch (a round trip and an UPDATE … SKIP LOCKED) takes a few jobs; each still runs,
        // retries and fails alone.
        batchSize: PG_CLAIM_BATCH,
        includeMetadata: true,
        pollingIntervalSeconds: this.o.pollingIntervalSeconds ?? 1,
      },
      async (jobs) => {
        try {
          for (const j of jobs) {
            try {
              await handler({
                id: j.id,
                name,
                data: j.data,
                attempt: j.retryCount + 1,
                retryLimit: j.retryLimit,
              });
            } catch (e) {
              if (j.retryCount >= j.retryLimit) {
                await tell(this.listeners, {
                  id: j.id,
                  name,
                  data: j.data,
                  error: (e as Error)?.message ?? String(e),
                  attempts: j.retryCount + 1,
                });
              }
              // Failed on its own: pg-boss fails every job of a fetch when the callback throws.
              // Its retry (or last failure) is then this job's alone, and pg-boss completes only
              // the jobs of the fetch still active.
              await this.boss.fail(name, j.id, failureData(e));
            }
          }
        } finally {
          // pg-boss waits a polling interval after every fetch, even one that found jobs: with
          // a backlog that is one fetch per interval. Having found work, look again at once; an
          // empty fetch still waits the interval.
          const self = this.workers.get(name);
          if (self !== undefined) this.boss.notifyWorker(self);
        }
      },
    );
    this.workers.set(name, worker);
    // Its first fetch ran before the id was known: if that found a job, do not wait the poll.
    this.boss.notifyWorker(worker);
  }

  onFailed(listener: (job: FailedJob) => void | Promise<void>): void {
    this.listeners.push(listener);
  }

  async get(name: string, id: string): Promise<JobStatus | undefined> {
    checkJobName(name);
    const j = await this.boss.getJobById(name, id, { includeArchive: true });
    if (!j) return undefined;
    return {
      id: j.id,
      name: j.name,
      state: j.state as JobState,
      data: j.data,
      retryCount: j.retryCount,
      retryLimit: j.retryLimit,
    };
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 30_000 });
  }

  /** pg-boss 10 needs a queue created before it takes or serves jobs; creating it is idempotent. */
  private async queue(name: string): Promise<void> {
    checkJobName(name);
    if (this.queues.has(name)) return;
    await this.boss.createQueue(name);
    this.queues.add(name);
  }
}

/**
 * Jobs one pg-boss fetch claims. Kept small: the jobs of a fetch run one after another, and a
 * job's expiry (15 min) counts from its fetch, and other replicas cannot take them meanwhile.
 */
export const PG_CLAIM_BATCH = 8;

/** The failed job's output, as pg-boss stores a thrown value when it fails a job itself. */
function failureData(e: unknown): object {
  return typeof e === 'object' && e !== null && !Array.isArray(e) ? e : { value: e };
}

/** A UUID (version 8, RFC 9562) from the job name and singleton key. */
export function keyUuid(name: string, key: string): string {
  const h = createHash('sha256').update(`${name}\0${key}`).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x80;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
