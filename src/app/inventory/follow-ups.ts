import { type Caller, requirePermission } from '../../access/index.js';
import type { FollowUpPage, FollowUpView } from '../../api/index.js';
import { InventoryError } from '../../inventory/index.js';
import { countFollowUps, type FollowUpListRow, listFollowUps } from '../../store/follow-ups.js';
import type { Services } from '../services.js';
import { visibleTeamIds } from './team-scope.js';

// The shapes are the API's own (src/api/follow-ups.ts), which the dashboard imports.
export type { FollowUpPage, FollowUpView } from '../../api/index.js';

export interface FollowUpQuery {
  state?: string;
  product?: string;
  sbom?: string;
  check?: string;
  limit?: string;
  cursor?: string;
}

const DAY_MS = 86_400_000;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const STATES = ['open', 'overdue', 'all'] as const;

/**
 * Follow-ups (the gate's warnings, Brief 4's "flag for follow-up with an SLA") in the caller's
 * teams, newest first: open ones by default, `state=overdue` past their SLA, `state=all` with
 * resolved ones.
 * @throws InventoryError INVENTORY_QUERY_INVALID; AccessError AUTH_FORBIDDEN
 */
export async function listFollowUpViews(
  s: Services,
  caller: Caller,
  q: FollowUpQuery,
): Promise<FollowUpPage> {
  requirePermission(caller.principal, 'inventory:read');
  const state = (q.state ?? 'open') as (typeof STATES)[number];
  if (!STATES.includes(state)) throw invalid(`state must be one of ${STATES.join(', ')}`);
  const limit = digits(q.limit, 'limit') ?? DEFAULT_LIMIT;
  if (limit < 1 || limit > MAX_LIMIT) throw invalid(`limit must be 1–${MAX_LIMIT}`);
  const sbomId = digits(q.sbom, 'sbom');
  const before = digits(q.cursor, 'cursor');
  const teamIds = await visibleTeamIds(s, caller);
  const now = s.clock();
  const nowIso = now.toISOString();
  const rows = await listFollowUps(s.db.read, {
    teamIds,
    state,
    ...(sbomId !== undefined ? { sbomId } : {}),
    ...(q.product !== undefined ? { product: q.product } : {}),
    ...(q.check !== undefined ? { check: q.check } : {}),
    ...(before !== undefined ? { before } : {}),
    limit: limit + 1,
    now: nowIso,
  });
  const page = rows.slice(0, limit);
  const counts = await countFollowUps(s.db.read, teamIds, nowIso);
  return {
    generatedAt: nowIso,
    ...counts,
    items: page.map((r) => view(r, now)),
    nextCursor: rows.length > limit ? String(page[page.length - 1]?.id) : null,
  };
}

/** Open and overdue follow-ups across the caller's teams (for `/metrics`). */
export async function followUpFigures(
  s: Services,
  caller: Caller,
): Promise<{ open: number; overdue: number }> {
  requirePermission(caller.principal, 'inventory:read');
  return countFollowUps(s.db.read, await visibleTeamIds(s, caller), s.clock().toISOString());
}

function view(r: FollowUpListRow, now: Date): FollowUpView {
  return {
    id: r.id,
    team: r.team,
    product: r.product,
    release: r.release,
    sbom: r.sbom_id,
    check: r.check_id,
    component: r.component,
    ref: r.component_ref,
    purl: r.purl,
    message: r.message,
    openedAt: r.opened_at,
    ageDays: Math.max(0, Math.floor((now.getTime() - Date.parse(r.opened_at)) / DAY_MS)),
    slaDays: r.sla_days,
    dueAt: r.due_at,
    overdue: r.resolved_at === null && r.due_at < now.toISOString(),
    resolvedAt: r.resolved_at,
    resolution: r.resolution,
  };
}

// Digits only: `1e2` or `-1` is not a number here.
function digits(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[0-9]{1,12}$/.test(v)) throw invalid(`${what} must be digits`);
  return Number(v);
}

function invalid(message: string): InventoryError {
  return new InventoryError('INVENTORY_QUERY_INVALID', `follow-ups: ${message}`);
}
