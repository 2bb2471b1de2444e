import { type Caller, requirePermission } from '../access/index.js';
import { decodeCursor, encodeCursor } from '../inventory/index.js';
import { listAudit, recordAudit } from '../store/audit.js';
import type { Q } from '../store/db.js';
import type { Page } from './inventory/views.js';
import type { Services } from './services.js';

/** What a caller wrote, for the audit trail; who and from where come from the caller. */
export interface WriteRecord {
  action: string;
  target: string;
  team?: string;
  details: Record<string, unknown>;
}

/** Record a write in the audit trail, inside the write's own transaction. */
export async function audit(q: Q, caller: Caller, w: WriteRecord, at: string): Promise<void> {
  await recordAudit(
    q,
    {
      actor: caller.principal.actor,
      person: caller.principal.person,
      role: caller.principal.role,
      source: caller.source,
      ...w,
    },
    at,
  );
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  person: string | null;
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
  requirePermission(caller.principal, 'audit:read');
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
