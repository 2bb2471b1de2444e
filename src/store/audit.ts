import type { Selectable } from 'kysely';
import type { Q } from './db.js';
import { bumpWriteGeneration } from './generation.js';
import type { Database } from './schema.js';

export type AuditRow = Selectable<Database['audit_events']>;

/** What one write did, recorded in the same transaction as the write itself. */
export interface AuditEvent {
  actor: string;
  person: string;
  role: string;
  /** `sbom.ingest`, `team.create`, `token.create`, … */
  action: string;
  /** What was written: `sbom:12`, `release:4`, … */
  target: string;
  /** Where the request came from: the client address, or `cli` for writes on the data directory. */
  source: string;
  /** The team whose data this touched; undefined for organisation-wide writes. */
  team?: string;
  details: Record<string, unknown>;
}

/**
 * Record a write and move the write generation (generation.ts), as the write transaction's last
 * statements: every audited write may change what a search answers.
 */
export async function recordAudit(q: Q, e: AuditEvent, at: string): Promise<void> {
  await insertAuditEvent(q, e, at);
  await bumpWriteGeneration(q);
}

/**
 * Record a write without moving the generation: for writes in the write queue, whose batch moves
 * it once before its commit (WriteQueue's beforeCommit).
 */
export async function insertAuditEvent(q: Q, e: AuditEvent, at: string): Promise<void> {
  await q.insertInto('audit_events').values(auditRow(e, at)).execute();
}

function auditRow(e: AuditEvent, at: string) {
  return {
    at,
    actor: e.actor,
    person: e.person,
    role: e.role,
    action: e.action,
    target: e.target,
    source: e.source,
    team: e.team ?? null,
    details: JSON.stringify(e.details),
  };
}

/** Record several writes (insertAuditEvent's rows, in order), in one statement per 500. */
export async function insertAuditEvents(
  q: Q,
  events: readonly AuditEvent[],
  at: string,
): Promise<void> {
  for (let i = 0; i < events.length; i += 500) {
    await q
      .insertInto('audit_events')
      .values(events.slice(i, i + 500).map((e) => auditRow(e, at)))
      .execute();
  }
}

export async function listAudit(
  q: Q,
  o: { limit: number; before?: number; action?: string; since?: string; teams?: readonly string[] },
): Promise<AuditRow[]> {
  let s = q.selectFrom('audit_events').selectAll();
  if (o.before !== undefined) s = s.where('id', '<', o.before);
  if (o.action !== undefined) s = s.where('action', '=', o.action);
  if (o.since !== undefined) s = s.where('at', '>=', o.since);
  if (o.teams !== undefined) {
    if (o.teams.length === 0) return [];
    s = s.where('team', 'in', o.teams);
  }
  return s
    .orderBy('id', 'desc')
    .limit(o.limit + 1)
    .execute();
}
