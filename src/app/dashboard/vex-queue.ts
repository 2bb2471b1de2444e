import { type Caller, requirePermission } from '../../access/index.js';
import type { Page, VexQueueItem } from '../../api/index.js';
import { teamSettings } from '../../store/dashboard.js';
import { undecidedVexStatements, type VexCandidateRow } from '../../store/dashboard-findings.js';
import { type LifecycleStatement, needsApproval } from '../../vex/index.js';
import { visibleTeamIds } from '../inventory/team-scope.js';
import type { Services } from '../services.js';
import { seesConfidential } from '../vex/index.js';
import { DEFAULT_JUDGE, type TeamJudge, teamJudges } from './freshness.js';
import { decodeCursor, encodeCursor, limitOf } from './query.js';

/**
 * Undecided VEX statements in the caller's teams, with their deadline: created + the team's
 * `analysis` SLA (seed 001: "Analysis completed | Within days-weeks"). Confidential ones only
 * for the team's approvers, as everywhere else.
 */
export interface UndecidedVex {
  row: VexCandidateRow;
  awaitingApproval: boolean;
  deadline: string;
  overdue: boolean;
}

export async function undecidedVex(s: Services, caller: Caller): Promise<UndecidedVex[]> {
  const db = s.db.read;
  const teamIds = await visibleTeamIds(s, caller);
  const [rows, teams] = await Promise.all([
    undecidedVexStatements(db, teamIds),
    teamSettings(db, teamIds),
  ]);
  const judges = teamJudges(teams);
  const now = s.clock().getTime();
  const out: UndecidedVex[] = [];
  for (const row of rows) {
    if (row.confidential === 1 && !seesConfidential(caller.principal, row.team)) continue;
    const st = JSON.parse(row.body) as LifecycleStatement;
    const awaitingApproval = needsApproval(st);
    // `fixed` with evidence and `not_affected`/`affected` once approved are decided; an
    // unapproved statement still under investigation without a response is undecided too.
    if (!awaitingApproval && st.status !== 'under_investigation') continue;
    const judge: TeamJudge = judges.get(row.team_id) ?? DEFAULT_JUDGE;
    const deadline = Date.parse(row.created_at) + judge.analysisMs;
    out.push({
      row,
      awaitingApproval,
      deadline: new Date(deadline).toISOString(),
      overdue: deadline < now,
    });
  }
  return out;
}

export interface VexQueueQuery {
  limit?: string;
  cursor?: string;
}

/**
 * The approval queue: draft statements awaiting a second person's decision, the earliest
 * deadline first (so overdue ones lead), then by id.
 * @throws InventoryError INVENTORY_QUERY_INVALID; AccessError AUTH_FORBIDDEN
 */
export async function vexQueue(
  s: Services,
  caller: Caller,
  q: VexQueueQuery,
): Promise<Page<VexQueueItem>> {
  requirePermission(caller.principal, 'inventory:read');
  const limit = limitOf(q.limit, 50, 500);
  const after = decodeCursor(q.cursor, ['string', 'number'] as const);
  const all = (await undecidedVex(s, caller))
    .filter((u) => u.awaitingApproval)
    .sort((a, b) =>
      a.deadline < b.deadline ? -1 : a.deadline > b.deadline ? 1 : a.row.id - b.row.id,
    )
    .filter(
      (u) =>
        after === undefined ||
        u.deadline > after[0] ||
        (u.deadline === after[0] && u.row.id > after[1]),
    );
  const page = all.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((u) => ({
      statement: u.row.id,
      product: u.row.product,
      team: u.row.team,
      vulnerability: u.row.vulnerability,
      status: u.row.status,
      version: u.row.version,
      draftedBy: u.row.drafted_by,
      createdAt: u.row.created_at,
      updatedAt: u.row.updated_at,
      deadline: u.deadline,
      overdue: u.overdue,
    })),
    nextCursor: all.length > limit && last ? encodeCursor([last.deadline, last.row.id]) : null,
  };
}
