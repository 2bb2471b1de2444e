import type { Services } from '../../services.js';
import {
  type NamespaceConfigOf,
  type ReconcileChecker,
  type ReconcileRun,
  reconcileDegraded,
} from './reconcile.js';

/** The job queue's name for reconciliation runs. */
export const RECONCILE_JOB = 'admission-reconcile';

export interface ReconcileScheduleOptions {
  /** How often a run is due (default 60 s). */
  intervalMs?: number;
  /** Told after each run (metrics, logs). */
  onRun?: (r: ReconcileRun) => void;
  /** Told when a run fails (the next one tries again). */
  onError?: (e: unknown) => void;
}

/**
 * Reconcile degraded decisions periodically. With a job queue, every replica enqueues the run of
 * each interval under one singleton key, so one run per interval happens, on whichever replica
 * claims it (pg-boss on PostgreSQL); without one, the process runs it on its timer. A run that
 * leaves more pending is followed at once by the next. Returns a function that stops the timer.
 */
export async function startAdmissionReconciliation(
  s: Services,
  deps: { checker: ReconcileChecker; governanceNs: NamespaceConfigOf },
  o: ReconcileScheduleOptions = {},
): Promise<() => void> {
  const intervalMs = o.intervalMs ?? 60_000;
  const runOnce = async (): Promise<void> => {
    for (let i = 0; i < 50; i++) {
      const r = await reconcileDegraded(s, deps.checker, deps.governanceNs, s.clock());
      o.onRun?.(r);
      // Another batch only when this one made progress; an outage leaves them for later.
      if (!r.more || r.confirmed + r.overturned === 0) return;
    }
  };
  const jobs = s.jobs;
  if (jobs) await jobs.work<{ slot: number }>(RECONCILE_JOB, () => runOnce());
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    const slot = Math.floor(s.clock().getTime() / intervalMs);
    const p = jobs
      ? jobs.enqueue(
          RECONCILE_JOB,
          { slot },
          { singletonKey: `slot:${slot}`, retryLimit: 0, retryBackoff: false },
        )
      : runOnce();
    p.catch((e: unknown) => o.onError?.(e)).finally(() => {
      running = false;
    });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
