import { computeSloBurn, hourKey } from '../../admission/slo.js';
import type { SloSettings } from '../../config/index.js';
import {
  dayOf,
  daysBefore,
  KPI_CATALOGUE,
  LONG_WINDOW_DAYS,
  mean,
  median,
  ratio,
  WINDOW_DAYS,
} from '../../kpi/index.js';
import type { Q } from '../../store/db.js';
import {
  admittedImageCounts,
  decisionCounts,
  deployedDigestCounts,
  firstVerdicts,
  hourlyRows,
  imageFirsts,
  modePeriodRows,
  reconcileSeconds,
} from '../../store/kpi-admission-sources.js';
import {
  artifactRegistrations,
  currentSbomBuildTimes,
  fixedHighFindings,
  rebuildCounts,
  signedSbomCounts,
  supplierSbomCounts,
} from '../../store/kpi-sources.js';
import { count, duration, type Figure, NO_FIGURE } from './figure.js';
import { manualFigures } from './manual-figures.js';
import { releaseFigures } from './release-figures.js';

/** Whose figures: the organisation's, or one team's (id for the store, name for manual entries). */
export type KpiScope = { team: null } | { team: string; teamId: number };

const share = (num: number, den: number): Figure => ({
  value: ratio(num, den),
  numerator: num,
  denominator: den,
});
const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;

/**
 * Every KPI of the catalogue at `now`. Organisation-wide figures (admission's, which no team
 * owns) are null for a team; what the store cannot observe comes from manual entries.
 */
export async function computeKpis(
  q: Q,
  scope: KpiScope,
  now: Date,
  slo: SloSettings,
): Promise<Map<string, Figure>> {
  const teamId = scope.team === null ? undefined : scope.teamId;
  const since = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();
  const out: Record<string, Figure> = {
    ...(await releaseFigures(q, teamId)),
    ...(await manualFigures(q, scope, dayOf(now))),
  };
  const window = since(WINDOW_DAYS);

  const rebuilds = await rebuildCounts(q, since(LONG_WINDOW_DAYS), teamId);
  out['b2.rebuild-fidelity'] = share(rebuilds.matching, rebuilds.total);
  const sboms = await signedSbomCounts(q, teamId);
  out['b4.signed-sbom-share'] = share(sboms.signed, sboms.artifacts);
  const ages = (await currentSbomBuildTimes(q, teamId)).map((t) => seconds(t, now.toISOString()));
  out['b4.sbom-freshness'] = duration(median(ages), ages);
  const fixed = (await fixedHighFindings(q, since(LONG_WINDOW_DAYS), teamId)).map((f) =>
    seconds(f.opened_at, String(f.closed_at)),
  );
  out['b4.mttr-high-severity'] = duration(mean(fixed), fixed);
  const suppliers = await supplierSbomCounts(q, teamId);
  out['b4.third-party-coverage'] = share(suppliers.covered, suppliers.suppliers);
  // Unsigned artifacts detected: from registration in the inventory to the first verdict.
  const unsigned = await firstVerdicts(q, ['unsigned'], window);
  const registered = await artifactRegistrations(
    q,
    unsigned.map((u) => u.digest),
  );
  const detect: number[] = [];
  for (const u of unsigned) {
    const a = registered.get(u.digest);
    if (a && (teamId === undefined || a.teamId === teamId))
      detect.push(Math.max(0, seconds(a.createdAt, u.first)));
  }
  out['b1.time-to-detect-unsigned'] = duration(mean(detect), detect);

  if (scope.team === null) Object.assign(out, await admissionFigures(q, now, window, slo));
  const figures = new Map<string, Figure>();
  for (const k of KPI_CATALOGUE) figures.set(k.id, out[k.id] ?? NO_FIGURE);
  return figures;
}

/** The figures of the admission records, which are organisation-wide. */
async function admissionFigures(
  q: Q,
  now: Date,
  window: string,
  slo: SloSettings,
): Promise<Record<string, Figure>> {
  const out: Record<string, Figure> = {};
  const images = await admittedImageCounts(q, window);
  out['b1.images-verified-at-admission'] = share(images.passed, images.images);
  const d = await decisionCounts(q, window);
  out['b2.deployments-blocked-provenance'] = share(d.provenanceBlocked, d.requests);
  out['b3.degraded-deployments'] = count(d.degraded, d.requests);
  out['b3.degraded-reconciled'] = share(d.degradedReconciled, d.degraded);
  out['b3.outage-deployment-delays'] = count(d.outageDenied, d.requests);
  const recon = await reconcileSeconds(q, window);
  out['b3.median-time-to-reconcile'] = duration(median(recon), recon);
  let enforce = 0;
  let all = 0;
  const from = Date.parse(window);
  for (const p of await modePeriodRows(q, window)) {
    const start = Math.max(from, Date.parse(p.started_at));
    const end = Math.min(
      now.getTime(),
      p.ended_at === null ? now.getTime() : Date.parse(p.ended_at),
    );
    if (end <= start) continue;
    all += (end - start) / 1000;
    if (p.mode === 'enforce') enforce += (end - start) / 1000;
  }
  out['b3.time-in-enforce'] = share(enforce, all);
  const deployed = await deployedDigestCounts(q);
  out['b3.cached-verification-material'] = share(deployed.withMaterial, deployed.deployed);
  out['b4.sbom-deployed-alignment'] = share(deployed.withSbom, deployed.deployed);
  const hours = await hourlyRows(
    q,
    hourKey(new Date(now.getTime() - (slo.windowHours - 1) * 3_600_000)),
  );
  const burn = computeSloBurn(
    slo,
    hours.map((h) => ({ hour: h.hour, decisions: Number(h.decisions), bad: Number(h.infra) })),
    now,
  );
  out['b3.error-budget-burn'] = share(burn.bad, burn.decisions * (1 - slo.target));
  // SBOM gate blocks: digests first denied for their SBOM in the window, and how long until
  // each was admitted (the block resolved: a new SBOM, a fixed gate, an exception).
  const blocks = await firstVerdicts(q, ['sbom-missing', 'sbom-gate'], window, 'deny');
  out['b4.sbom-gate-blocks'] = count(blocks.length);
  const firsts = await imageFirsts(
    q,
    blocks.map((b) => b.digest),
  );
  const resolution: number[] = [];
  for (const b of blocks) {
    const f = firsts.get(b.digest);
    if (f?.admittedAt && f.admittedAt > b.first) resolution.push(seconds(b.first, f.admittedAt));
  }
  out['b4.sbom-gate-resolution'] = duration(median(resolution), resolution);
  return out;
}

/** The day 30 days before `now`'s, for "value 30 days ago". */
export function monthAgo(now: Date): string {
  return daysBefore(dayOf(now), 30);
}
