import { type Caller, requireWithinTeams } from '../../access/index.js';
import type { KpiHistoryView, KpiListView } from '../../api/index.js';
import type { SloSettings } from '../../config/index.js';
import {
  dayOf,
  daysBefore,
  KPI_CATALOGUE,
  KPI_MILESTONES,
  KpiError,
  kpiById,
  monthOverMonth,
  trendPerDay,
} from '../../kpi/index.js';
import { findTeam } from '../../store/catalogue.js';
import { snapshotPoints, valuesBetween } from '../../store/kpi.js';
import type { Services } from '../services.js';
import { computeKpis, type KpiScope } from './compute.js';

/** The longest history a query returns (the retention may keep more). */
export const MAX_HISTORY_DAYS = 3660;

/**
 * Whose figures a caller asks for: `team` when named (within the caller's teams), else the
 * organisation's; a token limited to one team gets that team's, to several must name one.
 * @throws KpiError KPI_QUERY_INVALID (no such team; several teams and none named);
 *   AccessError AUTH_FORBIDDEN (a team outside the token's)
 */
export async function resolveScope(
  s: Services,
  caller: Caller,
  team: string | undefined,
): Promise<KpiScope> {
  const held = caller.principal.teams;
  const name = team ?? (held?.length === 1 ? held[0] : undefined);
  if (name === undefined) {
    if (held === undefined) return { team: null };
    throw new KpiError(
      'KPI_QUERY_INVALID',
      `This token covers teams ${held.join(', ')}; name one with team=`,
    );
  }
  requireWithinTeams(caller.principal, [name], 'read figures');
  const row = await findTeam(s.db.read, name);
  if (!row)
    throw new KpiError('KPI_QUERY_INVALID', `There is no team ${name}; see custody team list`);
  return { team: row.name, teamId: row.id };
}

/** `GET /api/v1/kpis`: the catalogue, each figure now and 30 days ago (from the snapshots). */
export async function listKpis(
  s: Services,
  caller: Caller,
  o: { team?: string | undefined; slo: SloSettings },
): Promise<KpiListView> {
  const scope = await resolveScope(s, caller, o.team);
  const now = s.clock();
  const at = now.toISOString();
  const figures = await computeKpis(s.db.read, scope, now, o.slo);
  // A missed day is covered by the nearest snapshot of the week before.
  const monthAgo = daysBefore(dayOf(now), 30);
  const previous = await valuesBetween(s.db.read, scope.team, daysBefore(monthAgo, 7), monthAgo);
  return {
    team: scope.team,
    at,
    kpis: KPI_CATALOGUE.map((k) => {
      const f = figures.get(k.id);
      return {
        ...k,
        current: {
          id: k.id,
          value: f?.value ?? null,
          numerator: f?.numerator ?? null,
          denominator: f?.denominator ?? null,
          previous: previous.get(k.id) ?? null,
          at,
        },
      };
    }),
    milestones: [...KPI_MILESTONES],
  };
}

/**
 * `GET /api/v1/kpis/{id}/history`: a KPI's daily snapshots over the last `days` days, with its
 * month-over-month change and trend.
 * @throws KpiError KPI_NOT_FOUND, KPI_QUERY_INVALID
 */
export async function kpiHistory(
  s: Services,
  caller: Caller,
  id: string,
  o: { days?: number | undefined; team?: string | undefined },
): Promise<KpiHistoryView> {
  const kpi = kpiById(id);
  if (!kpi)
    throw new KpiError('KPI_NOT_FOUND', `There is no KPI ${id}; custody kpi list names them all`);
  const days = o.days ?? 400;
  if (!Number.isInteger(days) || days < 1 || days > MAX_HISTORY_DAYS)
    throw new KpiError(
      'KPI_QUERY_INVALID',
      `days is a whole number from 1 to ${MAX_HISTORY_DAYS}; ${String(o.days)} is not`,
    );
  const scope = await resolveScope(s, caller, o.team);
  const from = daysBefore(dayOf(s.clock()), days - 1);
  const rows = await snapshotPoints(s.db.read, id, scope.team, from);
  const num = (x: unknown) => (x === null || x === undefined ? null : Number(x));
  const points = rows.map((r) => ({
    day: r.day,
    value: num(r.value),
    numerator: num(r.numerator),
    denominator: num(r.denominator),
  }));
  return {
    kpi,
    team: scope.team,
    points,
    monthOverMonth: monthOverMonth(points),
    trendPerDay: trendPerDay(points),
  };
}
