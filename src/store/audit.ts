import { PostgresAdapter, type Selectable } from 'kysely';
import { computeAuditHash } from '../access/index.js';
import type { Q } from './db.js';
import { StoreError } from './errors.js';
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
  await insertAuditEvents(q, [e], at);
}

/** An audit row waiting for its batch's commit (write-queue.ts). */
export interface DeferredAudit {
  event: AuditEvent;
  at: string;
}

const deferred = new WeakMap<object, DeferredAudit[]>();

/**
 * Collect the audit rows written on `q` (a write-queue job's savepoint) in `into` instead of
 * inserting them: the queue inserts the batch's rows just before its commit, so the chain's head
 * stays locked for one statement per batch rather than from its first write to the commit. A job
 * rolled back to its savepoint drops its own.
 */
export function deferAuditOn(q: object, into: DeferredAudit[]): void {
  deferred.set(q, into);
}

/** Record several writes (insertAuditEvent's rows, in order). */
export async function insertAuditEvents(
  q: Q,
  events: readonly AuditEvent[],
  at: string,
): Promise<void> {
  const later = deferred.get(q);
  if (later !== undefined) later.push(...events.map((event) => ({ event, at })));
  else
    await insertAuditRows(
      q,
      events.map((event) => ({ event, at })),
    );
}

/**
 * Append rows to the audit chain (access/audit-chain.ts), with one lock of the chain's head and
 * one statement per 500 rows.
 *
 * The head is locked before the rows get their ids, and each row's id is the head's last id plus
 * one: so ids follow the chain, whichever replica writes, and a row's hash (which covers its id)
 * is known before the insert. The head is read again on every call rather than remembered per
 * transaction, since the write queue rolls back to savepoints, which undo the head's update too.
 */
export async function insertAuditRows(q: Q, rows: readonly DeferredAudit[]): Promise<void> {
  if (rows.length === 0) return;
  let { last_id: lastId, hash: prev } = await lockChainHead(q);
  for (let i = 0; i < rows.length; i += 500) {
    const values = rows.slice(i, i + 500).map(({ event, at }) => {
      const row = auditRow(event, at, ++lastId);
      const hash = computeAuditHash(prev, row);
      const linked = { ...row, prev_hash: prev, hash };
      prev = hash;
      return linked;
    });
    await q.insertInto('audit_events').values(values).execute();
  }
  await q
    .updateTable('audit_chain_head')
    .set({ last_id: lastId, hash: prev })
    .where('id', '=', 1)
    .execute();
}

/**
 * The chain's head, locked until the transaction ends. PostgreSQL: a row lock, so concurrent
 * writers on every replica queue here and each reads the head its predecessor committed (READ
 * COMMITTED re-reads a locked row once it is released). SQLite serializes write transactions.
 * @throws StoreError STORE_UNAVAILABLE when the head is missing (migration 0019 writes it)
 */
async function lockChainHead(q: Q): Promise<{ last_id: number; hash: string }> {
  let s = q.selectFrom('audit_chain_head').select(['last_id', 'hash']).where('id', '=', 1);
  if (q.getExecutor().adapter instanceof PostgresAdapter) s = s.forUpdate();
  const head = await s.executeTakeFirst();
  if (head === undefined)
    throw new StoreError(
      'STORE_UNAVAILABLE',
      'The audit chain has no head row: the database was not migrated by this version; restart custody to migrate it',
    );
  return { last_id: Number(head.last_id), hash: head.hash };
}

function auditRow(e: AuditEvent, at: string, id: number) {
  return {
    id,
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
