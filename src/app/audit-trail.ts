import {
  type Caller,
  type Principal,
  requirePermission,
  requireSecondPerson,
} from '../access/index.js';
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

/**
 * Record a decision (a VEX approval, an exception, an emergency certificate) with both people, after
 * checking that there are two (`requireSecondPerson`): the decider is the caller (the row's actor,
 * person and role), the person who asked goes in `details.requestedBy`, the decider's in
 * `details.decidedBy`. Call it inside the decision's own transaction, before anything it decides is
 * used, so a refused decision leaves nothing behind.
 * @param requester the principal, or the person's name, that asked for the decision
 * @throws AccessError AUTH_FORBIDDEN (the caller is no approver), AUTH_SAME_PERSON
 */
export async function auditDecision(
  q: Q,
  caller: Caller,
  requester: Principal | string,
  w: WriteRecord,
  at: string,
): Promise<void> {
  requireSecondPerson(caller.principal, requester);
  const requestedBy = typeof requester === 'string' ? requester : requester.person;
  await audit(
    q,
    caller,
    { ...w, details: { ...w.details, requestedBy, decidedBy: caller.principal.person } },
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
