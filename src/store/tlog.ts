import type SqliteDatabase from 'better-sqlite3';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from './schema.js';

/**
 * The transparency log's tables. The tree itself is not stored: it is a function of the entries'
 * leaf hashes in index order, rebuilt in memory at start. Entries, the new tree size and the
 * batch's checkpoint are written in one transaction, so the database can never hold a checkpoint
 * without its entries or entries beyond the last checkpoint.
 */

type Q = Kysely<Database> | Transaction<Database>;

export interface TlogStateRow {
  origin: string;
  size: number;
  rootHash: Uint8Array;
}

export interface TlogEntryRow {
  idx: number;
  leafHash: Uint8Array;
  kind: string;
  body: Uint8Array;
  integratedTime: number;
  subject: string;
}

export interface TlogCheckpointRow {
  size: number;
  rootHash: Uint8Array;
  note: string;
  cosignatures: string;
  createdAt: string;
}

const bytes = (v: unknown): Uint8Array => (v instanceof Uint8Array ? v : Buffer.from(v as string));

/**
 * The state row, locked for the rest of the transaction on PostgreSQL so that two replicas
 * sequencing at once take turns (SQLite's writer is already alone).
 */
export async function lockTlogState(trx: Transaction<Database>, dialect: 'sqlite' | 'postgres') {
  let q = trx.selectFrom('tlog_state').selectAll().where('id', '=', 1);
  if (dialect === 'postgres') q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row === undefined
    ? undefined
    : { origin: row.origin, size: Number(row.size), rootHash: bytes(row.root_hash) };
}

export async function readTlogState(q: Q): Promise<TlogStateRow | undefined> {
  const row = await q.selectFrom('tlog_state').selectAll().where('id', '=', 1).executeTakeFirst();
  return row === undefined
    ? undefined
    : { origin: row.origin, size: Number(row.size), rootHash: bytes(row.root_hash) };
}

export async function createTlogState(q: Q, origin: string, emptyRoot: Uint8Array): Promise<void> {
  await q
    .insertInto('tlog_state')
    .values({ id: 1, origin, size: 0, root_hash: emptyRoot })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function setTlogSize(q: Q, size: number, rootHash: Uint8Array): Promise<void> {
  await q
    .updateTable('tlog_state')
    .set({ size, root_hash: rootHash })
    .where('id', '=', 1)
    .execute();
}

/** Leaf hashes from `from` on, in index order, a page at a time. */
export async function* leafHashesFrom(
  q: Q,
  from: number,
  page = 50_000,
): AsyncGenerator<Uint8Array[]> {
  let next = from;
  while (true) {
    const rows = await q
      .selectFrom('tlog_entries')
      .select(['idx', 'leaf_hash'])
      .where('idx', '>=', next)
      .orderBy('idx')
      .limit(page)
      .execute();
    if (rows.length === 0) return;
    for (const [i, r] of rows.entries())
      if (Number(r.idx) !== next + i)
        throw new Error(`tlog_entries has a gap at index ${next + i}: the database is damaged`);
    yield rows.map((r) => bytes(r.leaf_hash));
    next += rows.length;
    if (rows.length < page) return;
  }
}

/** Which of these leaf hashes are already in the log: index and integrated time by hex leaf hash. */
export async function indicesOfLeafHashes(
  q: Q,
  hashes: readonly Uint8Array[],
): Promise<Map<string, { idx: number; integratedTime: number }>> {
  const found = new Map<string, { idx: number; integratedTime: number }>();
  for (let i = 0; i < hashes.length; i += 500) {
    const rows = await q
      .selectFrom('tlog_entries')
      .select(['idx', 'leaf_hash', 'integrated_time'])
      .where('leaf_hash', 'in', hashes.slice(i, i + 500))
      .execute();
    for (const r of rows)
      found.set(Buffer.from(bytes(r.leaf_hash)).toString('hex'), {
        idx: Number(r.idx),
        integratedTime: Number(r.integrated_time),
      });
  }
  return found;
}

const insertStatements = new WeakMap<SqliteDatabase.Database, SqliteDatabase.Statement>();

/**
 * Insert sequenced entries. On SQLite through a cached prepared statement on the writer's own
 * connection (inside the open transaction), as the component index does; on PostgreSQL in
 * multi-row inserts.
 */
export async function insertTlogEntries(
  trx: Transaction<Database>,
  rows: readonly TlogEntryRow[],
  sqlite: SqliteDatabase.Database | undefined,
): Promise<void> {
  if (sqlite !== undefined) {
    let stmt = insertStatements.get(sqlite);
    if (stmt === undefined) {
      stmt = sqlite.prepare(
        'insert into tlog_entries (idx, leaf_hash, kind, body, integrated_time, subject) values (?, ?, ?, ?, ?, ?)',
      );
      insertStatements.set(sqlite, stmt);
    }
    for (const r of rows) stmt.run(r.idx, r.leafHash, r.kind, r.body, r.integratedTime, r.subject);
    return;
  }
  for (let i = 0; i < rows.length; i += 1000)
    await trx
      .insertInto('tlog_entries')
      .values(
        rows.slice(i, i + 1000).map((r) => ({
          idx: r.idx,
          leaf_hash: r.leafHash,
          kind: r.kind,
          body: r.body,
          integrated_time: r.integratedTime,
          subject: r.subject,
        })),
      )
      .execute();
}

function toEntry(r: {
  idx: number | string;
  leaf_hash: unknown;
  kind: string;
  body: unknown;
  integrated_time: number | string;
  subject: string;
}): TlogEntryRow {
  return {
    idx: Number(r.idx),
    leafHash: bytes(r.leaf_hash),
    kind: r.kind,
    body: bytes(r.body),
    integratedTime: Number(r.integrated_time),
    subject: r.subject,
  };
}

export async function tlogEntryAt(q: Q, idx: number): Promise<TlogEntryRow | undefined> {
  const r = await q
    .selectFrom('tlog_entries')
    .selectAll()
    .where('idx', '=', idx)
    .executeTakeFirst();
  return r === undefined ? undefined : toEntry(r);
}

export async function tlogEntryByLeafHash(
  q: Q,
  leafHash: Uint8Array,
): Promise<TlogEntryRow | undefined> {
  const r = await q
    .selectFrom('tlog_entries')
    .selectAll()
    .where('leaf_hash', '=', leafHash)
    .executeTakeFirst();
  return r === undefined ? undefined : toEntry(r);
}

/** Entries about one subject digest, oldest first. */
export async function tlogEntriesBySubject(
  q: Q,
  subject: string,
  limit: number,
): Promise<TlogEntryRow[]> {
  const rows = await q
    .selectFrom('tlog_entries')
    .selectAll()
    .where('subject', '=', subject)
    .orderBy('idx')
    .limit(limit)
    .execute();
  return rows.map(toEntry);
}

/** Bodies of entries [from, to), in order (an entry bundle's contents). */
export async function tlogBodies(q: Q, from: number, to: number): Promise<Uint8Array[]> {
  const rows = await q
    .selectFrom('tlog_entries')
    .select(['idx', 'body'])
    .where('idx', '>=', from)
    .where('idx', '<', to)
    .orderBy('idx')
    .execute();
  return rows.map((r) => bytes(r.body));
}

export async function insertTlogCheckpoint(q: Q, row: TlogCheckpointRow): Promise<void> {
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
}): TlogCheckpointRow {
  return {
    size: Number(r.size),
    rootHash: bytes(r.root_hash),
    note: r.note,
    cosignatures: r.cosignatures,
    createdAt: r.created_at,
  };
}

export async function latestTlogCheckpoint(q: Q): Promise<TlogCheckpointRow | undefined> {
  const r = await q
    .selectFrom('tlog_checkpoints')
    .selectAll()
    .orderBy('size', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r === undefined ? undefined : toCheckpoint(r);
}

/** The checkpoint signed at exactly `size`, if the log signed one there. */
export async function tlogCheckpointAt(q: Q, size: number): Promise<TlogCheckpointRow | undefined> {
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
): Promise<TlogCheckpointRow[]> {
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
