import type { Caller } from '../../../access/index.js';
import { computeSloBurn, median, type SloBurn } from '../../../admission/slo.js';
import type { SloSettings } from '../../../config/index.js';
import { admissionRecordFigures } from '../../../store/admission-decisions.js';
import type { Services } from '../../services.js';
import { requireRecordReader } from './query.js';

/** The label that namespaces beyond the limit are summed under. */
export const OTHER_NAMESPACES = '_other';

/** What `/metrics` shows of the admission records (server/admission-metrics.ts). */
export interface AdmissionFigures {
  windowDays: number;
  /** Degraded decisions not reconciled yet. */
  pendingReconciliation: number;
  /** Final reconciliations in the window, and the median time from decision to reconciliation. */
  reconciled: number;
  reconcileMedianSeconds: number | null;
  /** Seconds each namespace spent in each mode within the window (namespaces capped). */
  modeSeconds: { namespace: string; mode: string; seconds: number }[];
  /** Digests denied and never admitted since. */
  blocked: number;
  /** Digests denied first and admitted later (all time). */
  resolved: number;
  /** Over the digests whose block resolved within the window. */
  resolution: { count: number; secondsSum: number; medianSeconds: number | null };
  /** Images of allowed real requests within the SLO window, and how they were verified. */
  admitted: { images: number; cachedVerdict: number; standIn: number };
  slo: SloBurn & SloSettings;
}

/**
 * The admission records' figures for `/metrics`, in a few indexed queries (the hourly roll-up
 * holds the long-window counts).
 * @param o.namespaceLimit namespaces that get a label of their own (by name); the rest are summed
 *   under `_other`, so the label's cardinality stays bounded
 */
export async function admissionFigures(
  s: Services,
  caller: Caller,
  o: { slo: SloSettings; windowDays?: number; namespaceLimit?: number },
): Promise<AdmissionFigures> {
  requireRecordReader(caller);
  const now = s.clock();
  const windowDays = o.windowDays ?? 30;
  const since = new Date(now.getTime() - windowDays * 86_400_000).toISOString();
  const sloSince = new Date(now.getTime() - (o.slo.windowHours - 1) * 3_600_000).toISOString();
  const f = await admissionRecordFigures(s.db.read, { since, sloSince });
  const burn = computeSloBurn(
    o.slo,
    f.hourly.map((h) => ({ hour: h.hour, decisions: Number(h.decisions), bad: Number(h.infra) })),
    now,
  );
  const admitted = { images: 0, cachedVerdict: 0, standIn: 0 };
  for (const h of f.hourly) {
    admitted.images += Number(h.admitted_images);
    admitted.cachedVerdict += Number(h.admitted_cached);
    admitted.standIn += Number(h.admitted_stale);
  }
  return {
    windowDays,
    pendingReconciliation: f.pendingReconciliation,
    reconciled: f.reconcileSeconds.length,
    reconcileMedianSeconds: median(f.reconcileSeconds),
    modeSeconds: modeSeconds(f.modePeriods, since, now, o.namespaceLimit ?? 50),
    blocked: f.blocked,
    resolved: f.resolved,
    resolution: {
      count: f.resolutionSeconds.length,
      secondsSum: f.resolutionSeconds.reduce((a, b) => a + b, 0),
      medianSeconds: median(f.resolutionSeconds),
    },
    admitted,
    slo: { ...burn, ...o.slo },
  };
}

/** Seconds per namespace and mode within [since, now]; namespaces past the limit summed. */
function modeSeconds(
  periods: readonly {
    namespace: string;
    mode: string;
    startedAt: string;
    endedAt: string | null;
  }[],
  since: string,
  now: Date,
  limit: number,
): { namespace: string; mode: string; seconds: number }[] {
  const from = Date.parse(since);
  const to = now.getTime();
  const names = [...new Set(periods.map((p) => p.namespace))].sort();
  const labelled = new Set(names.slice(0, limit));
  const sums = new Map<string, { namespace: string; mode: string; seconds: number }>();
  for (const p of periods) {
    const start = Math.max(from, Date.parse(p.startedAt));
    const end = Math.min(to, p.endedAt === null ? to : Date.parse(p.endedAt));
    if (end <= start) continue;
    const namespace = labelled.has(p.namespace) ? p.namespace : OTHER_NAMESPACES;
    const key = `${namespace}\u0000${p.mode}`;
    const x = sums.get(key) ?? { namespace, mode: p.mode, seconds: 0 };
    x.seconds += (end - start) / 1000;
    sums.set(key, x);
  }
  return [...sums.values()];
}
