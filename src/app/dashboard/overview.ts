import { type Caller, requirePermission } from '../../access/index.js';
import type { DashboardOverview, FreshnessState } from '../../api/index.js';
import {
  SLSA_PROVENANCE_V1,
  SLSA_PROVENANCE_V1_DRAFT,
  SLSA_PROVENANCE_V01,
  SLSA_PROVENANCE_V02,
} from '../../formats/slsa/index.js';
import {
  admissionCountsSince,
  attestedReleaseCount,
  newestCheckpointAt,
  teamSettings,
} from '../../store/dashboard.js';
import { openFindingsByTeam } from '../../store/dashboard-findings.js';
import { countFollowUps } from '../../store/follow-ups.js';
import { coverageCounts, deployedReleases, qualityHistogram } from '../../store/portfolio.js';
import { visibleTeamIds } from '../inventory/team-scope.js';
import type { Services } from '../services.js';
import { DEFAULT_JUDGE, freshnessOf, teamJudges } from './freshness.js';
import { addSeverity, noFindings, ratio } from './query.js';
import { undecidedVex } from './vex-queue.js';

/** The predicate types that count as provenance (formats/slsa reads each). */
export const PROVENANCE_TYPES = [
  SLSA_PROVENANCE_V1,
  SLSA_PROVENANCE_V1_DRAFT,
  SLSA_PROVENANCE_V02,
  SLSA_PROVENANCE_V01,
] as const;

const DAY_MS = 86_400_000;

/**
 * The figures at the top of the first view in one request, over the caller's teams: coverage
 * (store/portfolio's counts, as GET /api/v1/portfolio gives them), freshness of deployed
 * releases against their teams' SLAs, open findings, the VEX queue, the last day's admission
 * decisions (organisation-wide callers only) and the log.
 * @throws AccessError AUTH_FORBIDDEN
 */
export async function dashboardOverview(s: Services, caller: Caller): Promise<DashboardOverview> {
  requirePermission(caller.principal, 'inventory:read');
  const db = s.db.read;
  const now = s.clock();
  const teamIds = await visibleTeamIds(s, caller);
  const orgWide = caller.principal.teams === undefined;
  const since = new Date(now.getTime() - DAY_MS).toISOString();
  const [
    counts,
    quality,
    attested,
    deployed,
    teams,
    findings,
    vex,
    admission,
    checkpointAt,
    followUps,
  ] = await Promise.all([
    coverageCounts(db, teamIds),
    qualityHistogram(db, teamIds),
    attestedReleaseCount(db, PROVENANCE_TYPES, teamIds),
    deployedReleases(db, teamIds),
    teamSettings(db, teamIds),
    openFindingsByTeam(db, teamIds),
    undecidedVex(s, caller),
    orgWide ? admissionCountsSince(db, since) : Promise.resolve(undefined),
    s.tlog ? newestCheckpointAt(db) : Promise.resolve(null),
    countFollowUps(db, teamIds, now.toISOString()),
  ]);
  const judges = teamJudges(teams);
  const freshness: Record<FreshnessState, number> = { fresh: 0, due: 0, stale: 0, missing: 0 };
  for (const r of deployed) {
    const judge = judges.get(r.team_id) ?? DEFAULT_JUDGE;
    const state = freshnessOf(
      { createdAt: r.created_at, rebuiltAt: r.rebuilt_at, newest: r.newest },
      judge.sla,
      now,
    );
    freshness[state] += 1;
  }
  const open = noFindings();
  for (const f of findings) addSeverity(open, f.severity_rating, f.n);
  return {
    generatedAt: now.toISOString(),
    products: counts.products,
    releases: counts.releases,
    sbomCoverage: ratio(counts.releasesWithSbom, counts.releases),
    signedSbomCoverage: ratio(counts.artifactsWithSignedSbom, counts.artifacts),
    provenanceCoverage: ratio(attested, counts.releases),
    freshness,
    meanQuality: quality.count === 0 ? null : Math.round(quality.sumTenths / quality.count) / 10,
    openFindings: open,
    vexPendingApproval: vex.filter((v) => v.awaitingApproval).length,
    vexOverdue: vex.filter((v) => v.overdue).length,
    followUps,
    admission: admission ? { ...admission, since } : null,
    tlog: s.tlog ? { origin: s.tlog.log.origin, size: s.tlog.log.size, checkpointAt } : null,
  };
}
