import type { ChainedAuditRow } from '../access/index.js';
import type { Q } from './db.js';

/**
 * Reads of the audit chain (written by audit.ts) and the heads anchored in the transparency log
 * (app/audit/anchor.ts).
 */

/** The chain's newest link as the head row records it. */
export interface ChainHead {
  lastId: number;
  hash: string;
}

export interface StoredAnchor {
  id: number;
  auditId: number;
  hash: string;
  logIndex: number;
  /** The signed checkpoint the entry's inclusion was proven against when it was anchored. */
  checkpoint: string;
  at: string;
}

/** Rows after `after` (an id; 0 for the start) up to `upTo`, oldest first, at most `limit`. */
export async function listChainedAudit(
  q: Q,
  o: { after: number; limit: number; upTo?: number },
): Promise<ChainedAuditRow[]> {
  let s = q.selectFrom('audit_events').selectAll().where('id', '>', o.after);
  if (o.upTo !== undefined) s = s.where('id', '<=', o.upTo);
  const rows = await s.orderBy('id').limit(o.limit).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    actor: r.actor,
    person: r.person,
    role: r.role,
    action: r.action,
    target: r.target,
    source: r.source,
    team: r.team,
    details: r.details,
    prevHash: r.prev_hash ?? '',
    hash: r.hash ?? '',
  }));
}

export async function readChainHead(q: Q): Promise<ChainHead | undefined> {
  const r = await q
    .selectFrom('audit_chain_head')
    .select(['last_id', 'hash'])
    .where('id', '=', 1)
    .executeTakeFirst();
  return r && { lastId: Number(r.last_id), hash: r.hash };
}

export async function insertAnchor(q: Q, a: Omit<StoredAnchor, 'id'>): Promise<void> {
  await q
    .insertInto('audit_anchors')
    .values({
      audit_id: a.auditId,
      hash: a.hash,
      log_index: a.logIndex,
      checkpoint: a.checkpoint,
      at: a.at,
    })
    .execute();
}

/** Every anchor, oldest first (one an hour is under 9,000 a year). */
export async function listAnchors(q: Q): Promise<StoredAnchor[]> {
  const rows = await q.selectFrom('audit_anchors').selectAll().orderBy('id').execute();
  return rows.map(toAnchor);
}

export async function latestAnchor(q: Q): Promise<StoredAnchor | undefined> {
  const r = await q
    .selectFrom('audit_anchors')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r && toAnchor(r);
}

function toAnchor(r: {
  id: number;
  audit_id: number;
  hash: string;
  log_index: number;
  checkpoint: string;
  at: string;
}): StoredAnchor {
  return {
    id: Number(r.id),
    auditId: Number(r.audit_id),
    hash: r.hash,
    logIndex: Number(r.log_index),
    checkpoint: r.checkpoint,
    at: r.at,
  };
}
