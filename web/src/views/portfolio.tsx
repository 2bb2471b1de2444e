import { useEffect } from 'preact/hooks';
import type { DashboardOverview } from '../../../src/api/index.js';
import { Async } from '../components/async.js';
import { KpiTrends } from '../components/kpi-trends.js';
import { dateTime, num, pct } from '../lib/format.js';
import { useApi } from '../lib/use-api.js';
import { ReleasesTable } from './portfolio-releases.js';
import { RiskContributors } from './risk-contributors.js';
import { Scorecards } from './scorecards.js';

/** Where the portfolio stands: the overview figures, trends, releases, teams and top risks. */
export function Portfolio() {
  const overview = useApi<DashboardOverview>('/api/v1/dashboard/overview');
  useEffect(() => {
    if (overview.state === 'ok') markOnce('custody:overview');
  }, [overview.state]);
  return (
    <>
      <h1>Portfolio</h1>
      <section aria-labelledby="overview-h">
        <h2 id="overview-h" class="visually-hidden">
          Overview
        </h2>
        <Async value={overview} what="the overview">
          {(o) => <OverviewFigures o={o} />}
        </Async>
      </section>
      <KpiTrends />
      <ReleasesTable />
      <Scorecards />
      <RiskContributors />
    </>
  );
}

function OverviewFigures({ o }: { o: DashboardOverview }) {
  const f = o.openFindings;
  return (
    <>
      <dl class="figures" data-testid="overview">
        <Figure label="Products" value={num(o.products)} />
        <Figure label="Releases" value={num(o.releases)} />
        <Figure label="SBOM coverage" value={pct(o.sbomCoverage)} />
        <Figure label="Signed SBOMs" value={pct(o.signedSbomCoverage)} />
        <Figure label="Provenance" value={pct(o.provenanceCoverage)} />
        <Figure
          label="Freshness"
          value={`${num(o.freshness.fresh)} fresh`}
          detail={`${num(o.freshness.due)} due · ${num(o.freshness.stale)} stale · ${num(o.freshness.missing)} missing`}
        />
        <Figure
          label="Mean SBOM quality"
          value={o.meanQuality === null ? '—' : `${o.meanQuality.toFixed(1)} / 10`}
        />
        <Figure
          label="Open findings"
          value={num(f.critical + f.high + f.medium + f.low)}
          detail={`${num(f.critical)} critical · ${num(f.high)} high · ${num(f.medium)} medium · ${num(f.low)} low`}
        />
        <Figure
          label="VEX"
          value={`${num(o.vexPendingApproval)} to approve`}
          detail={`${num(o.vexOverdue)} overdue`}
        />
        <Figure
          label="Follow-ups"
          value={`${num(o.followUps.open)} open`}
          detail={`${num(o.followUps.overdue)} past their SLA (licences, NOASSERTION)`}
        />
        {o.admission && (
          <Figure
            label="Admission, 24 h"
            value={`${num(o.admission.denied)} denied`}
            detail={`${num(o.admission.allowed)} allowed · ${num(o.admission.warned)} warned · ${num(o.admission.degraded)} degraded (outage)`}
          />
        )}
        {o.tlog && (
          <Figure
            label="Log entries"
            value={num(o.tlog.size)}
            detail={`checkpoint ${dateTime(o.tlog.checkpointAt)}`}
          />
        )}
      </dl>
      <p class="muted small">As of {dateTime(o.generatedAt)}.</p>
    </>
  );
}

function Figure({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <div class="figure">
      <dt>{label}</dt>
      <dd>
        <span class="big">{value}</span>
        {detail && <span class="detail">{detail}</span>}
      </dd>
    </div>
  );
}

/** Performance marks for the bench (bench/dashboard.ts): the first view is there once both are. */
export function markOnce(name: string): void {
  if (performance.getEntriesByName(name).length > 0) return;
  performance.mark(name);
  const done = ['custody:overview', 'custody:releases'].every(
    (n) => performance.getEntriesByName(n).length > 0,
  );
  if (done && performance.getEntriesByName('custody:first-view').length === 0)
    performance.mark('custody:first-view');
}
