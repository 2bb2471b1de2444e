import { decodeCursor, encodeCursor } from '../../inventory/query.js';
import { listAudit } from '../../store/audit.js';
import { requirePermission } from './access.js';
import type { Caller, Services } from './context.js';
import type { Page } from './queries.js';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  role: string;
  action: string;
  target: string;
  source: string;
  team: string | null;
  details: unknown;
}

/** The audit trail, newest first; a team-scoped auditor sees its teams' entries only. */
export async function auditTrail(
  s: Services,
  caller: Caller,
  o: { limit?: number; cursor?: string; action?: string; since?: string },
): Promise<Page<AuditEntry>> {
  requirePermission(caller, 'audit:read');
  const limit = o.limit ?? 100;
  const before = o.cursor === undefined ? undefined : decodeCursor(o.cursor);
  const rows = await listAudit(s.db.read, {
    limit,
    ...(before !== undefined ? { before } : {}),
    ...(o.action ? { action: o.action } : {}),
    ...(o.since ? { since: o.since } : {}),
    ...(caller.principal.teams ? { teams: caller.principal.teams } : {}),
  });
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  return {
    items: page.map((r) => ({ ...r, details: JSON.parse(r.details) as unknown })),
    nextCursor: more ? encodeCursor((page[page.length - 1] as { id: number }).id) : null,
  };
}
