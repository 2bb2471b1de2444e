import { sql } from 'kysely';
import type { AdmissionDecision } from '../../../admission/types.js';
import { noteModes, recordDecisions } from '../../../store/admission-decisions.js';
import type { Services } from '../../services.js';
import type { DecisionRecorder } from '../ports.js';

/** What the recorder tells `/metrics` (server/admission-metrics.ts implements it). */
export interface RecorderHooks {
  /** A decision was committed. */
  recorded?(d: AdmissionDecision): void;
  /** A batch could not be written (kept for the next attempt, or dropped when over the cap). */
  failed?(e: unknown, decisions: number): void;
  /** Decisions dropped because the backlog was full while the database failed. */
  dropped?(n: number): void;
}

export interface DecisionRecorderOptions extends RecorderHooks {
  /** Most decisions per transaction (default 256). */
  maxBatch?: number;
  /**
   * Most decisions held while the database fails (default 10,000): beyond it the oldest are
   * dropped (and counted), so an outage of the database costs records, never admission memory.
   */
  maxBacklog?: number;
  /** Wait before retrying after a failed batch (default 1 s, doubling to 30 s). */
  retryMs?: number;
  /**
   * Rewrite a digest's deployment (its last-admitted time, first admitted, the release's
   * deployed mark) at most this often per cluster and namespace (default 0: every decision). A
   * cluster admits the same images over and over; after the first write each one changes only
   * `last_admitted_at`, so the service sets 60 s: the decisions are all stored, the deployment's
   * last-admitted time is at most that old.
   */
  deploymentRefreshMs?: number;
  /**
   * How long a decision that finds the recorder idle waits for others to share its commit
   * (default 0: until this turn of the event loop has read what it could). With SQLite syncing
   * every commit to disk on the event loop, a commit per loop turn was 15 % of the webhook's warm
   * CPU at 50 clients (`npm run bench -- admission --cpu-prof`); waiting a few milliseconds makes
   * the batches, and not the commits, grow with the load. Only the record waits, never the answer;
   * `flush` writes at once.
   */
  lingerMs?: number;
}

/** The recorder, with a way to wait for everything queued to be written (tests, shutdown). */
export interface BatchingDecisionRecorder extends DecisionRecorder {
  /** Resolves once everything queued so far was written, or its write failed (kept for retry). */
  flush(): Promise<void>;
  /** Write what is queued, then stop retrying. */
  close(): Promise<void>;
  /** Decisions queued and not yet written. */
  readonly backlog: number;
}

/**
 * Store admission decisions with group commit: a decision that finds the recorder idle is
 * written at once in its own transaction; decisions that arrive meanwhile go together in the
 * next one (one commit, multi-row inserts). `record` never rejects: a database failure is told
 * to `failed` and the batch is kept and retried, so admission never fails because its record
 * could not be written. The webhook should call `record` without awaiting it on the response
 * path (`void recorder.record(d)`): the answer then does not wait for a commit (SQLite syncs each
 * one to disk), and a slow database cannot slow admission. Await it (or `flush`) where the record
 * must be there before going on (tests, shutdown).
 */
export function createDecisionRecorder(
  s: Services,
  o: DecisionRecorderOptions = {},
): BatchingDecisionRecorder {
  const maxBatch = o.maxBatch ?? 32;
  const maxBacklog = o.maxBacklog ?? 10_000;
  const baseRetry = o.retryMs ?? 1000;
  let queue: { d: AdmissionDecision; done: () => void }[] = [];
  let draining: Promise<void> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryMs = baseRetry;
  let closed = false;
  /** The last batch failed: the retry timer, not the next caller, starts the next attempt. */
  let failedLast = false;
  /** The mode each namespace's open period is known to have (saves a read per batch). */
  const knownModes = new Map<string, string>();

  const refreshMs = o.deploymentRefreshMs ?? 0;
  /** cluster, namespace, digest → when this process last wrote that deployment (ms). */
  const deployedAt = new Map<string, number>();
  const deploymentKey = (d: AdmissionDecision, digest: string) =>
    `${d.cluster}\u0000${d.namespace}\u0000${digest}`;
  const admitted = (d: AdmissionDecision) => d.cluster !== undefined && d.allowed && !d.dryRun;
  /** The batch with the images whose deployment was written within refreshMs left out. */
  const deploymentsOf = (batch: AdmissionDecision[], now: number): AdmissionDecision[] => {
    if (refreshMs <= 0) return batch;
    return batch.map((d) => {
      if (!admitted(d)) return d;
      const images = d.images.filter(
        (i) =>
          i.digest === undefined ||
          now - (deployedAt.get(deploymentKey(d, i.digest)) ?? Number.NEGATIVE_INFINITY) >=
            refreshMs,
      );
      return images.length === d.images.length ? d : { ...d, images };
    });
  };

  const writeBatch = async (batch: AdmissionDecision[]): Promise<void> => {
    const now = Date.now();
    const deployments = deploymentsOf(batch, now);
    const latest = new Map<string, { namespace: string; mode: string; at: string }>();
    for (const d of batch) {
      const l = latest.get(d.namespace);
      if (l === undefined || d.at >= l.at)
        latest.set(d.namespace, { namespace: d.namespace, mode: d.mode, at: d.at });
    }
    const modes = [...latest.values()].filter((l) => knownModes.get(l.namespace) !== l.mode);
    await s.db.kysely.transaction().execute(async (trx) => {
      await recordDecisions(trx, s.db.dialect, batch, deployments, s.db.sqlite);
      await noteModes(trx, modes);
    });
    if (refreshMs > 0) {
      if (deployedAt.size > 100_000) deployedAt.clear();
      for (const d of deployments)
        if (admitted(d))
          for (const i of d.images) if (i.digest) deployedAt.set(deploymentKey(d, i.digest), now);
    }
    for (const m of modes) knownModes.set(m.namespace, m.mode);
    if (knownModes.size > 100_000) knownModes.clear();
  };

  /** The database answers: a write that failed then was refused, not lost to an outage. */
  const reachable = async (): Promise<boolean> => {
    try {
      await sql`select 1`.execute(s.db.kysely);
      return true;
    } catch {
      return false;
    }
  };

  /** Write each decision of a failed batch on its own; returns those that went in. */
  const alone = async <T extends { d: AdmissionDecision }>(batch: T[]): Promise<T[]> => {
    if (batch.length === 1) return [];
    const ok: T[] = [];
    for (const b of batch) {
      try {
        await writeBatch([b.d]);
        ok.push(b);
      } catch {
        // counted with the batch
      }
    }
    return ok;
  };

  const drain = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      let written = batch;
      try {
        await writeBatch(batch.map((b) => b.d));
      } catch (e) {
        written = await alone(batch);
        if (written.length === 0 && !(await reachable())) {
          // Nothing could be written: the database is failing. Kept for the next attempt; the
          // callers waiting on them are released now.
          failedLast = true;
          o.failed?.(e, batch.length);
          for (const b of batch) b.done();
          for (const b of batch) b.done = () => {};
          scheduleRetry();
          return;
        }
        // Some went in alone: the others cannot be stored at all (a decision the store refuses
        // would otherwise hold up every one behind it). Dropped and told.
        const refused = batch.length - written.length;
        o.failed?.(e, refused);
        o.dropped?.(refused);
        for (const b of batch) if (!written.includes(b)) b.done();
      }
      queue = queue.slice(batch.length);
      failedLast = false;
      retryMs = baseRetry;
      for (const b of written) {
        o.recorded?.(b.d);
        b.done();
      }
    }
  };

  const start = (): Promise<void> => {
    if (draining === undefined) {
      draining = drain().finally(() => {
        draining = undefined;
        // A decision queued after the loop's last look but before this line would wait forever.
        if (queue.length > 0 && retryTimer === undefined && !failedLast) void start();
      });
    }
    return draining;
  };

  /**
   * Start a drain once this turn of the event loop has read what it could: SQLite commits
   * synchronously, so a drain started at once from `record` wrote each webhook request's decision
   * in a transaction of its own (no group ever formed: 207 reviews/s warm, most of it in COMMIT,
   * in `npm run bench -- admission`). Deferred to setImmediate, the decisions of every request
   * read in the same poll phase go in one transaction.
   */
  let soon: ReturnType<typeof setImmediate> | undefined;
  let later: ReturnType<typeof setTimeout> | undefined;
  const lingerMs = o.lingerMs ?? 0;
  const startSoon = () => {
    if (draining !== undefined) return;
    if (lingerMs > 0 && queue.length < maxBatch) {
      if (later !== undefined || soon !== undefined) return;
      later = setTimeout(() => {
        later = undefined;
        void start();
      }, lingerMs);
      return;
    }
    // A full batch goes at the next turn, lingering or not.
    if (later !== undefined) clearTimeout(later);
    later = undefined;
    if (soon !== undefined) return;
    soon = setImmediate(() => {
      soon = undefined;
      void start();
    });
  };

  const scheduleRetry = () => {
    if (closed || retryTimer !== undefined) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void start();
    }, retryMs);
    retryTimer.unref();
    retryMs = Math.min(30_000, retryMs * 2);
  };

  return {
    record(d: AdmissionDecision): Promise<void> {
      return new Promise<void>((resolve) => {
        queue.push({ d, done: resolve });
        if (queue.length > maxBacklog) {
          const over = queue.splice(0, queue.length - maxBacklog);
          for (const x of over) x.done();
          o.dropped?.(over.length);
        }
        if (retryTimer === undefined) startSoon();
        else {
          // The database is failing and a retry is due: queued for it, nobody waits.
          const last = queue[queue.length - 1];
          if (last !== undefined) last.done = () => {};
          resolve();
        }
      });
    },
    async flush(): Promise<void> {
      // Runs whatever is queued now; a batch that fails stays queued for the retry.
      while (draining !== undefined) await draining;
      if (queue.length > 0) await start();
    },
    async close(): Promise<void> {
      closed = true;
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      retryTimer = undefined;
      if (later !== undefined) clearTimeout(later);
      later = undefined;
      await this.flush();
    },
    get backlog() {
      return queue.length;
    },
  };
}
