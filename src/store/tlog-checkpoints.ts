import { type Kysely, sql, type Transaction } from 'kysely';
import type { StoredCheckpoint } from '../tlog/index.js';
import type { Database } from './schema.js';

/** The SQL of the log's signed checkpoints (tlog.ts puts it behind the log's port). */

type Q = Kysely<Database> | Transaction<Database>;

const bytes = (v: unknown): Uint8Array => (v instanceof Uint8Array ? v : Buffer.from(v as string));

export async function insertTlogCheckpoint(q: Q, row: StoredCheckpoint): Promise<void> {
  await q
    .insertInto('tlog_checkpoints')
    .values({
      size: row.size,
      root_hash: row.rootHash,
      note: row.note,
      cosignatures: row.cosignatures,
      created_at: row.createdAt,
    })
    .execute();
}

function toCheckpoint(r: {
  size: number | string;
  root_hash: unknown;
  note: string;
  cosignatures: string;
  created_at: string;
}): StoredCheckpoint {
  return {
    size: Number(r.size),
    rootHash: bytes(r.root_hash),
    note: r.note,
    cosignatures: r.cosignatures,
    createdAt: r.created_at,
  };
}

export async function latestTlogCheckpoint(q: Q): Promise<StoredCheckpoint | undefined> {
  const r = await q
    .selectFrom('tlog_checkpoints')
    .selectAll()
    .orderBy('size', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r === undefined ? undefined : toCheckpoint(r);
}

/** The checkpoint signed at exactly `size`, if the log signed one there. */
export async function tlogCheckpointAt(q: Q, size: number): Promise<StoredCheckpoint | undefined> {
  const r = await q
    .selectFrom('tlog_checkpoints')
    .selectAll()
    .where('size', '=', size)
    .executeTakeFirst();
  return r === undefined ? undefined : toCheckpoint(r);
}

/** Checkpoints from a size or a time on, oldest first. */
export async function tlogCheckpointsSince(
  q: Q,
  since: { size?: number; at?: string },
  limit: number,
): Promise<StoredCheckpoint[]> {
  let query = q.selectFrom('tlog_checkpoints').selectAll();
  if (since.size !== undefined) query = query.where('size', '>=', since.size);
  if (since.at !== undefined) query = query.where('created_at', '>=', since.at);
  const rows = await query.orderBy('size').limit(limit).execute();
  return rows.map(toCheckpoint);
}

/** Append witness cosignature lines to a stored checkpoint (lines already verified). */
export async function addTlogCosignatures(q: Q, size: number, lines: string): Promise<void> {
  await q
    .updateTable('tlog_checkpoints')
    .set({ cosignatures: sql<string>`cosignatures || ${lines}` })
    .where('size', '=', size)
    .execute();
}
