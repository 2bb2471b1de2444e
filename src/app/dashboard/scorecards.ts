import { type Caller, requirePermission } from '../../access/index.js';
import type { Page, RiskContributor, TeamScorecard } from '../../api/index.js';
import { parsePurl } from '../../core/index.js';
import { attestedReleasesByTeam, releasesByTeam, teamSettings } from '../../store/dashboard.js';
import {
  openFindingsByTeam,
  openHighCriticalAdvisories,
  riskContributors,
} from '../../store/dashboard-findings.js';
import { deployedReleases, signedByTeam } from '../../store/portfolio.js';
import { visibleTeamIds } from '../inventory/team-scope.js';
import type { Services } from '../services.js';
import { DEFAULT_JUDGE, freshnessOf, teamJudges } from './freshness.js';
import { PROVENANCE_TYPES } from './overview.js';
import { addSeverity, limitOf, noFindings, ratio } from './query.js';
import { undecidedVex } from './vex-queue.js';

/**
 * One scorecard per team the caller sees, by team name: deployed releases fresh within the
 * team's SLA, signed coverage (current SBOMs signed), provenance coverage (releases with SLSA
 * provenance), open findings and overdue VEX statements. Teams are few; one page holds them all.
 * @throws AccessError AUTH_FORBIDDEN
 */
export async function teamScorecards(s: Services, caller: Caller): Promise<Page<TeamScorecard>> {
  requirePermission(caller.principal, 'inventory:read');
  const db = s.db.read;
  const now = s.clock();
  const teamIds = await visibleTeamIds(s, caller);
  const [teams, releases, deployed, signed, attested, findings, vex] = await Promise.all([
    teamSettings(db, teamIds),
    releasesByTeam(db, teamIds),
    deployedReleases(db, teamIds),
    signedByTeam(db, teamIds),
    attestedReleasesByTeam(db, PROVENANCE_TYPES, teamIds),
    openFindingsByTeam(db, teamIds),
    undecidedVex(s, caller),
  ]);
  const judges = teamJudges(teams);
  const items = teams.map((t): TeamScorecard => {
    const judge = judges.get(t.id) ?? DEFAULT_JUDGE;
    const mine = deployed.filter((r) => r.team_id === t.id);
    const fresh = mine.filter(
      (r) =>
        freshnessOf(
          { createdAt: r.created_at, rebuiltAt: r.rebuilt_at, newest: r.newest },
          judge.sla,
          now,
        ) === 'fresh',
    ).length;
    const rel = releases.find((r) => r.team_id === t.id);
    const sig = signed.find((x) => x.team === t.name);
    const open = noFindings();
    for (const f of findings) if (f.key === t.id) addSeverity(open, f.severity_rating, f.n);
    return {
      team: t.name,
      releases: rel?.n ?? 0,
      deployedReleases: mine.length,
      freshWithinSla: ratio(fresh, mine.length),
      sla: judge.sla,
      signedCoverage: ratio(sig?.signedSboms ?? 0, sig?.currentSboms ?? 0),
      provenanceCoverage: ratio(attested.find((a) => a.team_id === t.id)?.n ?? 0, rel?.n ?? 0),
      openFindings: open,
      overdueVex: vex.filter((v) => v.overdue && v.row.team_id === t.id).length,
    };
  });
  return { items, nextCursor: null };
}

/**
 * The top dependency-risk contributors: components (by purl) ranked by their open high and
 * critical advisories × the deployed releases that ship them, in the caller's teams.
 * @throws InventoryError INVENTORY_QUERY_INVALID; AccessError AUTH_FORBIDDEN
 */
export async function topRiskContributors(
  s: Services,
  caller: Caller,
  q: { limit?: string },
): Promise<Page<RiskContributor>> {
  requirePermission(caller.principal, 'inventory:read');
  const limit = limitOf(q.limit, 20, 100);
  const teamIds = await visibleTeamIds(s, caller);
  const rows = await riskContributors(s.db.read, teamIds, limit);
  const advisories = await openHighCriticalAdvisories(
    s.db.read,
    rows.map((r) => r.purl),
    teamIds,
  );
  return {
    items: rows.map((r) => {
      const { name, version } = nameOf(r.purl);
      return {
        purl: r.purl,
        name,
        version,
        openHighCritical: r.open_high_critical,
        deployedReleases: r.deployed_releases,
        score: r.open_high_critical * r.deployed_releases,
        vulnerabilities: advisories.filter((a) => a.purl === r.purl).map((a) => a.advisory_id),
      };
    }),
    // A ranking: the top `limit` is the whole answer.
    nextCursor: null,
  };
}

function nameOf(purl: string): { name: string; version: string | null } {
  try {
    const p = parsePurl(purl);
    return {
      name: p.namespace ? `${p.namespace}/${p.name}` : p.name,
      version: p.version ?? null,
    };
  } catch {
    return { name: purl, version: null };
  }
}
