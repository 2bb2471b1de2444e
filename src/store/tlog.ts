import { type Kysely, sql, type Transaction } from 'kysely';
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
import { WalSync } from './wal-sync.js';

/**
 * The transparency log's tables behind its port (src/tlog/ports.ts). The tree itself is not
 * stored: it is a function of the entries' leaf hashes in index order, rebuilt in memory at start.
 * Entries, the new tree size and the batch's checkpoint are written in one transaction, so the
 * database can never hold a checkpoint without its entries or entries beyond the last checkpoint.
 */

type Q = Kysely<Database> | Transaction<Database>;

const bytes = (v: unknown): Uint8Array => (v instanceof Uint8Array ? v : Buffer.from(v as string));

/** Test seams of the SQLite batch: how the WAL is made durable (default: fdatasync). */
export interface TlogStoreOptions {
  syncWal?: (walPath: string) => Promise<void>;
}

/** The log's store on `db`: sequencing on the writer, serving reads on `db.read`. */
export function createTlogStore(db: Db, o: TlogStoreOptions = {}): TlogEntryStore {
  // Only in WAL mode: there a commit's frames are appended to one file that one sync makes durable.
  const wal = db.sqlite !== undefined ? WalSync.of(db.sqlite, o.syncWal) : undefined;
  const sqliteBatch = wal !== undefined ? new SqliteDurableBatch(db, wal) : undefined;
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
      sqliteBatch !== undefined
        ? sqliteBatch.run(f)
        : db.kysely.transaction().execute((trx) => f(batchWriter(trx, db))),
    addCosignatures: (size, lines) => addTlogCosignatures(db.kysely, size, lines),
    close: async () => sqliteBatch?.close(),
  };
}

function batchWriter(q: Q, db: Db, onWrite?: () => void): TlogBatchWriter {
  return {
    lockState: () => lockTlogState(q, db.dialect),
    leafHashesFrom: (from) => leafHashesFrom(q, from),
    findLeafHashes: (hashes) => indicesOfLeafHashes(q, hashes),
    async commitBatch(entries, checkpoint) {
      onWrite?.();
      await insertTlogEntries(q, entries, db.sqlite);
      await setTlogSize(q, checkpoint.size, checkpoint.rootHash);
      await insertTlogCheckpoint(q, checkpoint);
    },
  };
}

/**
 * A log batch on SQLite whose commit does not stop the event loop (store/wal-sync.ts): every
 * batch stopped HTTP parsing and signature checks for a whole fsync (about 4 ms on a virtual
 * disk, a fifth of the main thread under load). `run` resolves only after the WAL is synced, so
 * an entry is acknowledged, and its checkpoint published, only once it is on disk, as before.
 * Appends that arrive meanwhile are checked and queue for the next batch. The log's own reads
 * stop at its published checkpoint, so none sees a batch before its sync.
 */
class SqliteDurableBatch {
  /** A committed batch whose WAL frames have not been synced (a sync failed, or none ran yet). */
  private unsynced = false;

  constructor(
    private readonly db: Db,
    private readonly wal: WalSync,
  ) {}

  async run<T>(f: (w: TlogBatchWriter) => Promise<T>): Promise<T> {
    // The connection (Kysely's mutex) is held from before BEGIN to after the setting is restored:
    // no other transaction on it can commit under NORMAL.
    const result = await this.db.kysely.connection().execute((conn) =>
      this.wal.unsynced(async () => {
        await sql`begin immediate`.execute(conn);
        try {
          const r = await f(
            batchWriter(conn, this.db, () => {
              this.unsynced = true;
            }),
          );
          await sql`commit`.execute(conn);
          return r;
        } catch (e) {
          if (this.db.sqlite?.inTransaction) await sql`rollback`.execute(conn);
          throw e;
        }
      }),
    );
    // A batch of duplicates alone wrote nothing, but the entries it answers with must be durable
    // too: sync whenever any commit since the last good sync is not.
    if (this.unsynced) {
      await this.wal.sync();
      this.unsynced = false;
    }
    return result;
  }

  close(): Promise<void> {
    return this.wal.close();
  }
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
export async function lockTlogState(trx: Q, dialect: 'sqlite' | 'postgres') {
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
