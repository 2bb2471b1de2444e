import { type Caller, requirePermission } from '../../access/index.js';
import type { DashboardVulnerability, Page } from '../../api/index.js';
import { advisoriesById, exploitInfo } from '../../store/advisories.js';
import { teamSettings } from '../../store/dashboard.js';
import { openFindingsByAdvisoryProduct, vexOfProducts } from '../../store/dashboard-findings.js';
import { slaTable } from '../../triggers/index.js';
import { type LifecycleStatement, needsApproval } from '../../vex/index.js';
import { visibleTeamIds } from '../inventory/team-scope.js';
import type { Services } from '../services.js';
import { seesConfidential } from '../vex/index.js';
import { teamJudges } from './freshness.js';
import { decodeCursor, encodeCursor, invalid, limitOf } from './query.js';

const RANK: Readonly<Record<string, number>> = { critical: 0, high: 1, medium: 2, low: 3 };
const RATINGS = ['critical', 'high', 'medium', 'low', 'none', 'unknown'];

export interface DashboardVulnerabilityQuery {
  severity?: string;
  limit?: string;
  cursor?: string;
}

/**
 * Open advisories in the caller's teams with what the vulnerability view shows: severity,
 * affected and deployed releases, the VEX state per affected product, and the deadline: for a
 * product with no statement, first opened + the team's `cveDraft` SLA (seed 001: a draft within
 * 24–48 hours); with an undecided one, its creation + the `analysis` SLA. Overdue first, then by
 * severity, then by deadline.
 * @throws InventoryError INVENTORY_QUERY_INVALID; AccessError AUTH_FORBIDDEN
 */
export async function dashboardVulnerabilities(
  s: Services,
  caller: Caller,
  q: DashboardVulnerabilityQuery,
): Promise<Page<DashboardVulnerability>> {
  requirePermission(caller.principal, 'inventory:read');
  const limit = limitOf(q.limit, 50, 500);
  const after = decodeCursor(q.cursor, ['string'] as const)?.[0];
  const severities = q.severity ? q.severity.split(',').map((x) => x.trim()) : undefined;
  if (severities?.some((x) => !RATINGS.includes(x)))
    throw invalid(`severity is a comma-separated list of ${RATINGS.join(', ')}`, 'severity');
  const db = s.db.read;
  const teamIds = await visibleTeamIds(s, caller);
  const [rows, teams] = await Promise.all([
    openFindingsByAdvisoryProduct(db, teamIds),
    teamSettings(db, teamIds),
  ]);
  const judges = teamJudges(teams);
  const draftMs = new Map(
    teams.map((t) => {
      let table = slaTable();
      try {
        if (t.sla !== null) table = slaTable(JSON.parse(t.sla));
      } catch {
        // the defaults, as freshness.ts does
      }
      return [t.id, table.cveDraft.withinMs];
    }),
  );
  const advisories = await advisoriesById(db, [...new Set(rows.map((r) => r.advisory_id))]);
  const aliases = new Map(
    [...advisories.values()].map((a) => [a.id, JSON.parse(a.aliases) as string[]]),
  );
  const names = [...advisories.keys(), ...[...aliases.values()].flat()];
  const statements = await vexOfProducts(db, [...new Set(rows.map((r) => r.product_id))], names);
  const cves = names.filter((n) => n.startsWith('CVE-'));
  const { kev } = await exploitInfo(db, cves);
  const now = s.clock().getTime();
  const out: DashboardVulnerability[] = [];
  for (const [id, a] of advisories) {
    if (severities && !severities.includes(a.severity_rating)) continue;
    const mine = rows.filter((r) => r.advisory_id === id);
    const named = new Set([id, ...(aliases.get(id) ?? [])]);
    const vex = { decided: 0, pending: 0, missing: 0 };
    let deadline: number | undefined;
    for (const r of mine) {
      const st = statements
        .filter((x) => x.product_id === r.product_id && named.has(x.vulnerability))
        .filter((x) => x.confidential === 0 || seesConfidential(caller.principal, x.team))
        .sort((x, y) => (x.created_at < y.created_at ? 1 : -1))[0];
      let due: number | undefined;
      if (!st) {
        vex.missing += 1;
        due = Date.parse(r.opened_at) + (draftMs.get(r.team_id) ?? slaTable().cveDraft.withinMs);
      } else {
        const body = JSON.parse(st.body) as LifecycleStatement;
        if (st.status === 'under_investigation' || needsApproval(body)) {
          vex.pending += 1;
          due =
            Date.parse(st.created_at) +
            (judges.get(r.team_id)?.analysisMs ?? slaTable().analysis.withinMs);
        } else vex.decided += 1;
      }
      if (due !== undefined) deadline = deadline === undefined ? due : Math.min(deadline, due);
    }
    const aka = aliases.get(id) ?? [];
    out.push({
      id,
      aliases: aka,
      summary: a.summary,
      severity: a.severity_rating,
      score: a.severity_score === null ? null : Number(a.severity_score),
      kev: [id, ...aka].some((x) => kev.has(x)),
      products: mine.length,
      affectedReleases: mine.reduce((n, r) => n + r.releases, 0),
      deployedReleases: mine.reduce((n, r) => n + r.deployed, 0),
      firstOpenedAt: mine.reduce((m, r) => (r.opened_at < m ? r.opened_at : m), '9999'),
      vex,
      deadline: deadline === undefined ? null : new Date(deadline).toISOString(),
      overdue: deadline !== undefined && deadline < now,
    });
  }
  out.sort(order);
  const start = after === undefined ? 0 : out.findIndex((v) => v.id === after) + 1;
  if (after !== undefined && start === 0)
    throw invalid('cursor names no open advisory any more; start again without it', 'cursor');
  const page = out.slice(start, start + limit);
  const more = start + limit < out.length;
  return { items: page, nextCursor: more ? encodeCursor([page[page.length - 1]?.id ?? '']) : null };
}

function order(a: DashboardVulnerability, b: DashboardVulnerability): number {
  return (
    Number(b.overdue) - Number(a.overdue) ||
    (RANK[a.severity] ?? 9) - (RANK[b.severity] ?? 9) ||
    (a.deadline ?? '~').localeCompare(b.deadline ?? '~') ||
    a.id.localeCompare(b.id)
  );
}
