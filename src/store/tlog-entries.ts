import type SqliteDatabase from 'better-sqlite3';
import type { Kysely, Transaction } from 'kysely';
import type { EntryPosition, StoredEntry } from '../tlog/index.js';
import type { Database } from './schema.js';

/** The SQL of the log's entries table (tlog.ts puts it behind the log's port). */

type Q = Kysely<Database> | Transaction<Database>;

const bytes = (v: unknown): Uint8Array => (v instanceof Uint8Array ? v : Buffer.from(v as string));

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
): Promise<Map<string, EntryPosition>> {
  const found = new Map<string, EntryPosition>();
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
  trx: Q,
  rows: readonly StoredEntry[],
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
}): StoredEntry {
  return {
    idx: Number(r.idx),
    leafHash: bytes(r.leaf_hash),
    kind: r.kind,
    body: bytes(r.body),
    integratedTime: Number(r.integrated_time),
    subject: r.subject,
  };
}

export async function tlogEntryAt(q: Q, idx: number): Promise<StoredEntry | undefined> {
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
): Promise<StoredEntry | undefined> {
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
): Promise<StoredEntry[]> {
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
