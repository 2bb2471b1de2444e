import { Counter, Gauge, type Registry } from 'prom-client';
import type { AdmissionDecision } from '../admission/types.js';
import type { EngineStats } from '../app/admission/engine/index.js';
import {
  type AdmissionFigures,
  admissionFigures,
  type ReconcileRun,
  type RecorderHooks,
} from '../app/admission/records/index.js';
import type { Services } from '../app/services.js';
import { CLI_CALLER } from '../app/tokens.js';
import { DEFAULT_SLO_SETTINGS, type SloSettings } from '../config/index.js';
import { scrapeGauges } from './scrape-gauges.js';

/** Namespaces that get a label of their own; later ones are counted under `_other`. */
export const NAMESPACE_LABEL_LIMIT = 50;

/** What the admission path tells `/metrics`; the recorder takes it as its hooks. */
export interface AdmissionMetrics extends Required<RecorderHooks> {
  /** A reconciliation run finished. */
  reconciled(r: ReconcileRun): void;
  /** The SLO the burn gauges measure against (CUSTODY_ADMISSION_SLO_*; default 99.9 % / 30 d). */
  slo: SloSettings;
  /** This replica's image-check caches (set by the composition root when admission runs). */
  engineStats?: () => EngineStats;
}

/** Reasons in the closed list's order: a decision is counted under its first. */
const REASON_ORDER = [
  'request-invalid',
  'registry-not-allowed',
  'digest-required',
  'infrastructure',
  'unsigned',
  'identity',
  'issuer-drift',
  'emergency-certificate',
  'provenance',
  'sbom-missing',
  'sbom-gate',
  'vulnerability',
];

/**
 * The admission metrics: counters the recorder increments per committed decision (per replica),
 * and gauges read from the records at scrape time (every replica reports the same figures).
 * Namespace labels are capped at NAMESPACE_LABEL_LIMIT (the first seen by this process; by name
 * for the gauges); the rest are summed under `_other`.
 */
export function registerAdmissionMetrics(registry: Registry, s: Services): AdmissionMetrics {
  const registers = [registry];
  const decisions = new Counter({
    name: 'custody_admission_decisions_total',
    help: 'Admission decisions recorded, by mode, namespace, result (allowed, denied) and reason (the first of its images’ reasons in the closed list; none when every image passed)',
    labelNames: ['mode', 'namespace', 'result', 'reason'],
    registers,
  });
  const verdicts = new Counter({
    name: 'custody_admission_image_verdicts_total',
    help: 'Image verdicts of recorded decisions, by outcome (pass, fail, infra) and reason',
    labelNames: ['outcome', 'reason'],
    registers,
  });
  const admittedImages = new Counter({
    name: 'custody_admission_admitted_images_total',
    help: 'Images of allowed real requests, by how they were verified: fresh, cached-verdict (decision cache), or the stand-in a degraded verdict leaned on (cached-material, rollback-bundle, log-later)',
    labelNames: ['verification'],
    registers,
  });
  const failed = new Counter({
    name: 'custody_admission_record_failures_total',
    help: 'Decisions whose record could not be written on the first attempt (kept and retried unless refused)',
    registers,
  });
  const dropped = new Counter({
    name: 'custody_admission_records_dropped_total',
    help: 'Decisions never recorded: refused by the store, or over the backlog while it failed',
    registers,
  });
  const reconciliations = new Counter({
    name: 'custody_admission_reconciliations_total',
    help: 'Reconciliation attempts of degraded decisions, by result (confirmed, overturned, still-failing)',
    labelNames: ['result'],
    registers,
  });
  const engineGauges: [string, string, (st: EngineStats) => number][] = [
    [
      'custody_admission_cache_hits',
      'Image checks answered from fresh cached material, without the registry (this replica, since start)',
      (st) => st.hits,
    ],
    [
      'custody_admission_cache_decision_hits',
      'Of the cache hits, those answered from the decision cache (no policy evaluated)',
      (st) => st.decisionHits,
    ],
    [
      'custody_admission_cache_misses',
      'Image checks that verified from the registry (this replica, since start)',
      (st) => st.misses,
    ],
    [
      'custody_admission_cache_coalesced',
      'Image checks that joined a verification of the same image already under way',
      (st) => st.coalesced,
    ],
    [
      'custody_admission_cache_stale_served',
      'Image checks answered with material past its TTL because the registry was down (degraded)',
      (st) => st.staleServed,
    ],
    [
      'custody_admission_cache_rollback_served',
      'Image checks in high-risk namespaces answered from a pinned rollback bundle',
      (st) => st.rollbackServed,
    ],
    [
      'custody_admission_cache_entries',
      'Verified-material entries held (pinned rollback bundles aside)',
      (st) => st.entries,
    ],
    ['custody_admission_cache_pinned', 'Pinned rollback bundles held', (st) => st.pinned],
    [
      'custody_admission_cache_hit_ratio',
      'Cache hits / (hits + misses) since start (NaN before the first check)',
      (st) => (st.hits + st.misses > 0 ? st.hits / (st.hits + st.misses) : Number.NaN),
    ],
    [
      'custody_admission_cache_oldest_age_seconds',
      'Age of the oldest verified material held (staleness; 0 with none)',
      (st) =>
        st.oldestVerifiedAt === undefined
          ? 0
          : Math.max(0, (Date.now() - Date.parse(st.oldestVerifiedAt)) / 1000),
    ],
  ];
  for (const [name, help, read] of engineGauges)
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const stats = metrics.engineStats?.();
        this.set(stats === undefined ? 0 : read(stats));
      },
    });
  const seen = new Set<string>();
  const nsLabel = (ns: string) => {
    if (seen.has(ns)) return ns;
    if (seen.size < NAMESPACE_LABEL_LIMIT) {
      seen.add(ns);
      return ns;
    }
    return '_other';
  };
  const metrics: AdmissionMetrics = {
    slo: DEFAULT_SLO_SETTINGS,
    recorded(d: AdmissionDecision) {
      const reasons = new Set(d.images.flatMap((i) => (i.reason ? [i.reason] : [])));
      const reason = REASON_ORDER.find((r) => reasons.has(r as never)) ?? 'none';
      decisions.inc({
        mode: d.mode,
        namespace: nsLabel(d.namespace),
        result: d.allowed ? 'allowed' : 'denied',
        reason,
      });
      for (const i of d.images) {
        verdicts.inc({ outcome: i.outcome, reason: i.reason ?? 'none' });
        if (!d.allowed || d.dryRun) continue;
        const via = i.degraded?.via;
        admittedImages.inc({
          verification:
            via !== undefined && via !== 'none' ? via : i.cached ? 'cached-verdict' : 'fresh',
        });
      }
    },
    failed(_e: unknown, n: number) {
      failed.inc(n);
    },
    dropped(n: number) {
      dropped.inc(n);
    },
    reconciled(r: ReconcileRun) {
      reconciliations.inc({ result: 'confirmed' }, r.confirmed);
      reconciliations.inc({ result: 'overturned' }, r.overturned);
      reconciliations.inc({ result: 'still-failing' }, r.stillFailing);
    },
  };
  registerAdmissionGauges(registry, () =>
    admissionFigures(s, CLI_CALLER, { slo: metrics.slo, namespaceLimit: NAMESPACE_LABEL_LIMIT }),
  );
  return metrics;
}

function registerAdmissionGauges(registry: Registry, load: () => Promise<AdmissionFigures>): void {
  const gauge = scrapeGauges(registry, load);
  const nan = (v: number | null) => v ?? Number.NaN;
  gauge(
    'custody_admission_degraded_pending',
    'Degraded admission decisions awaiting reconciliation',
    (g, f) => g.set(f.pendingReconciliation),
  );
  gauge(
    'custody_admission_reconcile_seconds_median',
    'Median time from a degraded decision to its reconciliation (confirmed or overturned), over those reconciled in the last 30 days (NaN before the first)',
    (g, f) => g.set(nan(f.reconcileMedianSeconds)),
  );
  gauge(
    'custody_admission_reconciled',
    'Degraded decisions reconciled (confirmed or overturned) in the last 30 days',
    (g, f) => g.set(f.reconciled),
  );
  gauge(
    'custody_admission_namespace_mode_seconds',
    'Seconds each namespace’s decisions ran in each mode over the last 30 days (time in audit versus enforce; namespaces beyond the label limit summed as _other)',
    (g, f) => {
      for (const m of f.modeSeconds) g.set({ namespace: m.namespace, mode: m.mode }, m.seconds);
    },
    ['namespace', 'mode'],
  );
  gauge(
    'custody_admission_blocked_images',
    'Digests denied admission and not admitted since (blocked deployments)',
    (g, f) => g.set(f.blocked),
  );
  gauge(
    'custody_admission_unblocked_images',
    'Digests denied first and admitted later (blocked deployments resolved)',
    (g, f) => g.set(f.resolved),
  );
  gauge(
    'custody_admission_block_resolution_seconds_sum',
    'Seconds from first denied to first admitted, summed over digests first admitted in the last 30 days',
    (g, f) => g.set(f.resolution.secondsSum),
  );
  gauge(
    'custody_admission_block_resolution_seconds_count',
    'Digests whose block resolved (first admitted after a denial) in the last 30 days',
    (g, f) => g.set(f.resolution.count),
  );
  gauge(
    'custody_admission_block_resolution_seconds_median',
    'Median time from first denied to first admitted, over digests first admitted in the last 30 days (NaN before the first)',
    (g, f) => g.set(nan(f.resolution.medianSeconds)),
  );
  gauge(
    'custody_admission_admitted_images_window',
    'Images of allowed real requests within the SLO window',
    (g, f) => g.set(f.admitted.images),
  );
  gauge(
    'custody_admission_admitted_cached_verdict_ratio',
    'Share of admitted images within the SLO window whose verdict came from the decision cache (NaN with none)',
    (g, f) => g.set(f.admitted.images ? f.admitted.cachedVerdict / f.admitted.images : Number.NaN),
  );
  gauge(
    'custody_admission_admitted_stand_in_ratio',
    'Share of admitted images within the SLO window verified against cached or stand-in material (degraded: cached material, rollback bundle, log later) (NaN with none)',
    (g, f) => g.set(f.admitted.images ? f.admitted.standIn / f.admitted.images : Number.NaN),
  );
  gauge(
    'custody_admission_slo_target',
    'The admission SLO target (CUSTODY_ADMISSION_SLO_TARGET)',
    (g, f) => g.set(f.slo.target),
  );
  gauge(
    'custody_admission_slo_window_seconds',
    'The admission SLO window (CUSTODY_ADMISSION_SLO_WINDOW)',
    (g, f) => g.set(f.slo.windowHours * 3600),
  );
  gauge(
    'custody_admission_slo_error_ratio',
    'Share of admission decisions within the SLO window with an infrastructure failure (no stand-in)',
    (g, f) => g.set(f.slo.errorRate),
  );
  gauge(
    'custody_admission_slo_burn_rate',
    'Error-budget burn rate (error ratio / (1 − target)) over the SLO window, the last 6 h and the last hour',
    (g, f) => {
      g.set({ window: 'slo' }, f.slo.burnRate);
      g.set({ window: '6h' }, f.slo.burnRate6h);
      g.set({ window: '1h' }, f.slo.burnRate1h);
    },
    ['window'],
  );
  gauge(
    'custody_admission_slo_error_budget_remaining',
    'Share of the SLO window’s error budget left (below 0: overspent)',
    (g, f) => g.set(f.slo.budgetRemaining),
  );
}
