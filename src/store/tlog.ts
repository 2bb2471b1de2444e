import type { Kysely, Transaction } from 'kysely';
import type {
  LogState,
  StoredCheckpoint,
  TlogBatchWriter,
  TlogEntryStore,
  TlogReader,
} from '../tlog/index.js';
import type { Db } from './db.js';
import type { Database } from './schema.js';
import {
  addTlogCosignatures,
  insertTlogCheckpoint,
  latestTlogCheckpoint,
  tlogCheckpointAt,
  tlogCheckpointsSince,
} from './tlog-checkpoints.js';
import {
  indicesOfLeafHashes,
  insertTlogEntries,
  leafHashesFrom,
  tlogBodies,
  tlogEntriesBySubject,
  tlogEntryAt,
  tlogEntryByLeafHash,
} from './tlog-entries.js';

/**
 * The transparency log's tables behind its port (src/tlog/ports.ts). The tree itself is not
 * stored: it is a function of the entries' leaf hashes in index order, rebuilt in memory at start.
 * Entries, the new tree size and the batch's checkpoint are written in one transaction, so the
 * database can never hold a checkpoint without its entries or entries beyond the last checkpoint.
 */

type Q = Kysely<Database> | Transaction<Database>;

const bytes = (v: unknown): Uint8Array => (v instanceof Uint8Array ? v : Buffer.from(v as string));

/** The log's store on `db`: sequencing on the writer, serving reads on `db.read`. */
export function createTlogStore(db: Db): TlogEntryStore {
  return {
    primary: readerOn(db.kysely),
    reader: readerOn(db.read),
    async createLog(origin: string, first: StoredCheckpoint): Promise<void> {
      await db.kysely.transaction().execute(async (trx) => {
        await createTlogState(trx, origin, first.rootHash);
        if ((await latestTlogCheckpoint(trx)) === undefined) await insertTlogCheckpoint(trx, first);
      });
    },
    inBatch: <T>(f: (w: TlogBatchWriter) => Promise<T>): Promise<T> =>
      db.kysely.transaction().execute((trx) =>
        f({
          lockState: () => lockTlogState(trx, db.dialect),
          leafHashesFrom: (from) => leafHashesFrom(trx, from),
          findLeafHashes: (hashes) => indicesOfLeafHashes(trx, hashes),
          async commitBatch(entries, checkpoint) {
            await insertTlogEntries(trx, entries, db.sqlite);
            await setTlogSize(trx, checkpoint.size, checkpoint.rootHash);
            await insertTlogCheckpoint(trx, checkpoint);
          },
        }),
      ),
    addCosignatures: (size, lines) => addTlogCosignatures(db.kysely, size, lines),
  };
}

function readerOn(q: Kysely<Database>): TlogReader {
  return {
    readState: () => readTlogState(q),
    leafHashesFrom: (from) => leafHashesFrom(q, from),
    latestCheckpoint: () => latestTlogCheckpoint(q),
    checkpointAt: (size) => tlogCheckpointAt(q, size),
    checkpointsSince: (since, limit) => tlogCheckpointsSince(q, since, limit),
    entryAt: (idx) => tlogEntryAt(q, idx),
    entryByLeafHash: (leafHash) => tlogEntryByLeafHash(q, leafHash),
    entriesBySubject: (subject, limit) => tlogEntriesBySubject(q, subject, limit),
    bodies: (from, to) => tlogBodies(q, from, to),
  };
}

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

export async function readTlogState(q: Q): Promise<LogState | undefined> {
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
