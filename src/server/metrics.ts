import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { followUpFigures } from '../app/inventory/follow-ups.js';
import { portfolioFigures } from '../app/inventory/portfolio-figures.js';
import type { Services } from '../app/services.js';
import { CLI_CALLER } from '../app/tokens.js';
import type { TriggerMetrics } from '../app/triggers/index.js';
import { registerAdmissionGovernanceMetrics } from './admission-governance-metrics.js';
import { type AdmissionMetrics, registerAdmissionMetrics } from './admission-metrics.js';
import { registerEvidenceMetrics } from './evidence-metrics.js';
import { registerKpiMetrics } from './kpi-metrics.js';
import { registerVulnMetrics } from './vuln-metrics.js';

/**
 * Prometheus metrics: request counts and latency per route, ingest outcomes, and the portfolio
 * figures (coverage, freshness, quality, index size), computed at most every `portfolioTtlMs`
 * because a scrape should not scan the index.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly latency: Histogram<'method' | 'route'>;
  readonly ingests: Counter<'outcome'>;
  readonly tlogAppends: Counter<'outcome'>;
  /** What the trigger runtime counts (events, decisions, response times, failed jobs). */
  readonly triggers: TriggerMetrics;
  /** Failed certificate requests of the keyless CA, by stage (issue|verify) and kind. */
  readonly caFailures: Counter<'stage' | 'kind'>;
  /** Counts overdue trigger actions for the gauge; set by whoever runs the triggers. */
  overdueActions: (() => Promise<number>) | undefined;
  /** Admission decisions, reconciliation, SLO burn (the recorder's hooks: `metrics.admission`). */
  readonly admission: AdmissionMetrics;

  constructor(s: Services, portfolioTtlMs = 10_000) {
    const registerers = [this.registry];
    this.requests = new Counter({
      name: 'custody_http_requests_total',
      help: 'HTTP requests answered, by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: registerers,
    });
    this.latency = new Histogram({
      name: 'custody_http_request_duration_seconds',
      help: 'Time to answer an HTTP request',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: registerers,
    });
    this.ingests = new Counter({
      name: 'custody_sbom_ingest_total',
      help: 'SBOM pushes by outcome: stored, duplicate (already stored), rejected',
      labelNames: ['outcome'],
      registers: registerers,
    });
    this.tlogAppends = new Counter({
      name: 'custody_tlog_appends_total',
      help: 'Transparency log appends by outcome: logged, duplicate, refused',
      labelNames: ['outcome'],
      registers: registerers,
    });
    this.caFailures = new Counter({
      name: 'custody_ca_failures_total',
      help: 'Keyless CA certificate requests that failed, by stage (verify: the ID token; issue: the rest) and kind (infrastructure: JWKS/OIDC unreachable, CA key or store failing; policy: token invalid or expired, identity not allowed)',
      labelNames: ['stage', 'kind'],
      registers: registerers,
    });
    for (const stage of ['issue', 'verify'])
      for (const kind of ['infrastructure', 'policy']) this.caFailures.inc({ stage, kind }, 0);
    this.overdueActions = undefined;
    this.triggers = triggerMetrics(this.registry, () => this.overdueActions);
    registerVulnMetrics(this.registry, s);
    registerEvidenceMetrics(this.registry, s);
    this.admission = registerAdmissionMetrics(this.registry, s);
    registerAdmissionGovernanceMetrics(this.registry, s);
    registerKpiMetrics(this.registry, s, () => this.admission.slo);
    const log = s.tlog?.log;
    if (log !== undefined) {
      new Gauge({
        name: 'custody_tlog_size',
        help: 'Entries in the transparency log (newest published checkpoint)',
        registers: registerers,
        collect() {
          this.set(log.size);
        },
      });
      new Gauge({
        name: 'custody_tlog_checkpoint_cosignatures',
        help: 'Witness cosignatures on the newest checkpoint',
        registers: registerers,
        collect() {
          const lines = log
            .checkpoint()
            .note.split('\n')
            .filter((l) => l.startsWith('\u2014 '));
          this.set(Math.max(0, lines.length - 1));
        },
      });
    }
    let cached: { at: number; figures: Awaited<ReturnType<typeof portfolioFigures>> } | undefined;
    const figures = async () => {
      const now = s.clock().getTime();
      if (!cached || now - cached.at > portfolioTtlMs) {
        cached = { at: now, figures: await portfolioFigures(s, CLI_CALLER) };
      }
      return cached.figures;
    };
    const gauge = (
      name: string,
      help: string,
      read: (f: Awaited<ReturnType<typeof portfolioFigures>>) => number | null,
    ) =>
      new Gauge({
        name,
        help,
        registers: registerers,
        async collect() {
          const v = read(await figures());
          this.set(v ?? Number.NaN);
        },
      });
    gauge(
      'custody_index_components',
      'Components indexed from current SBOMs',
      (f) => f.index.components,
    );
    gauge('custody_sboms', 'SBOMs stored, every version', (f) => f.index.sboms);
    gauge('custody_sboms_current', 'Current SBOMs (one per artifact)', (f) => f.index.currentSboms);
    gauge('custody_products', 'Products', (f) => f.coverage.products);
    gauge('custody_releases', 'Releases', (f) => f.coverage.releases);
    gauge(
      'custody_release_sbom_coverage_ratio',
      'Share of releases with an SBOM',
      (f) => f.coverage.releaseCoverage,
    );
    gauge('custody_artifacts', 'Artifacts', (f) => f.coverage.artifacts);
    gauge(
      'custody_artifact_sbom_coverage_ratio',
      'Share of artifacts with an SBOM',
      (f) => f.coverage.artifactCoverage,
    );
    gauge(
      'custody_artifact_signed_sbom_coverage_ratio',
      'Share of artifacts with a signed SBOM',
      (f) => f.coverage.signedCoverage,
    );
    gauge(
      'custody_sboms_signed_ratio',
      'Share of current SBOMs that are signed (a verified bundle by a team signing identity)',
      (f) => f.signed.share,
    );
    new Gauge({
      name: 'custody_team_sboms_signed_ratio',
      help: "Share of a team's current SBOMs that are signed",
      labelNames: ['team'],
      registers: registerers,
      async collect() {
        this.reset();
        for (const t of (await figures()).signed.teams) this.set({ team: t.team }, t.share);
      },
    });
    gauge(
      'custody_deployed_releases',
      'Releases marked deployed',
      (f) => f.freshness.deployedReleases,
    );
    gauge(
      'custody_deployed_releases_without_sbom',
      'Deployed releases with no SBOM',
      (f) => f.freshness.withoutSbom.length,
    );
    gauge(
      'custody_stale_sbom_releases',
      'Deployed releases whose newest SBOM predates their last rebuild',
      (f) => f.freshness.stale.length,
    );
    gauge(
      'custody_sbom_age_median_days',
      'Median age of the newest SBOM of deployed releases',
      (f) => f.freshness.medianAgeDays,
    );
    gauge(
      'custody_sbom_age_max_days',
      'Oldest newest-SBOM among deployed releases',
      (f) => f.freshness.maxAgeDays,
    );
    gauge(
      'custody_sbom_quality_mean',
      'Mean quality score (0–10) of current SBOMs',
      (f) => f.quality.meanScore,
    );
    // Follow-ups change with every push and are one indexed count: read on each scrape.
    const followUp = (name: string, help: string, key: 'open' | 'overdue') =>
      new Gauge({
        name,
        help,
        registers: registerers,
        async collect() {
          this.set((await followUpFigures(s, CLI_CALLER))[key]);
        },
      });
    followUp(
      'custody_follow_ups_open',
      'Gate warnings open for follow-up (one per SBOM, component and check)',
      'open',
    );
    followUp('custody_follow_ups_overdue', 'Open follow-ups past their SLA', 'overdue');
    new Gauge({
      name: 'custody_sbom_quality_score_sboms',
      help: 'Current SBOMs per whole quality point (score label: 0…10)',
      labelNames: ['score'],
      registers: registerers,
      async collect() {
        const f = await figures();
        for (const [i, n] of f.quality.histogram.entries()) this.set({ score: String(i) }, n);
      },
    });
  }
}

/** A label value from text the engine chose: kept when short and plain, else `other`. */
function label(v: string): string {
  return /^[A-Za-z0-9_.:-]{1,64}$/.test(v) ? v : 'other';
}

function triggerMetrics(
  registry: Registry,
  overdue: () => (() => Promise<number>) | undefined,
): TriggerMetrics {
  const registers = [registry];
  const events = new Counter({
    name: 'custody_trigger_events_total',
    help: 'Trigger events taken (repeats not counted), by kind and source (api, github, gitlab, poller)',
    labelNames: ['kind', 'source'],
    registers,
  });
  const decisions = new Counter({
    name: 'custody_trigger_decisions_total',
    help: 'Actions decided on trigger events, by target and action (none/none: no action)',
    labelNames: ['target', 'action'],
    registers,
  });
  const response = new Histogram({
    name: 'custody_trigger_response_seconds',
    help: 'Time from an event being received to its action being done, by target',
    labelNames: ['target'],
    buckets: [1, 10, 60, 300, 900, 3600, 4 * 3600, 24 * 3600, 48 * 3600, 7 * 24 * 3600],
    registers,
  });
  const failures = new Counter({
    name: 'custody_job_failures_total',
    help: 'Jobs that failed after their retries (trigger actions, notifications), by job',
    labelNames: ['job'],
    registers,
  });
  const alerts = new Counter({
    name: 'custody_trigger_alerts_total',
    help: 'Teams told that a trigger action is still open at its alert time (early) or past its deadline (overdue), by kind and target',
    labelNames: ['kind', 'target'],
    registers,
  });
  new Gauge({
    name: 'custody_trigger_actions_overdue',
    help: 'Trigger actions past their deadline and not done',
    registers,
    async collect() {
      const count = overdue();
      this.set(count ? await count() : 0);
    },
  });
  return {
    received: (kind, source) => events.inc({ kind: label(kind), source: label(source) }),
    decided: (target, action) => decisions.inc({ target: label(target), action: label(action) }),
    actionDone: (target, seconds) => response.observe({ target: label(target) }, seconds),
    jobFailed: (job) => failures.inc({ job: label(job) }),
    alerted: (kind, target) => alerts.inc({ kind, target: label(target) }),
  };
}
