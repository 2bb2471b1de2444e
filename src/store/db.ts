import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { StoreError } from './errors.js';
import { bumpWriteGeneration } from './generation.js';
import { type Dialect, migrate } from './migrations.js';
import { privateDir, privateFile } from './private-paths.js';
import type { Database } from './schema.js';
import { WriteQueue } from './write-queue.js';

export type { Dialect };

/** Either the database or a transaction on it. */
export type Q = Kysely<Database> | Transaction<Database>;

/** An open database: Kysely over SQLite (embedded default) or PostgreSQL, migrated. */
export interface Db {
  /** Writes and transactions. */
  readonly kysely: Kysely<Database>;
  /**
   * Reads. On SQLite a second connection, so searches read the last committed state instead of
   * waiting behind a write transaction (WAL lets readers and one writer work at once); on
   * PostgreSQL the same pool.
   */
  readonly read: Kysely<Database>;
  /** Group commit for ingests. */
  readonly writes: WriteQueue;
  /**
   * SQLite only: the writer's own handle, for the bulk index inserts, which run as cached
   * prepared statements inside the Kysely transaction on the same connection.
   */
  readonly sqlite?: SqliteDatabase.Database;
  /**
   * Tell the store that SBOMs were ingested. After the first few and then at growing intervals it
   * refreshes the query planner's statistics in the background (PostgreSQL ANALYZE, SQLite
   * PRAGMA optimize): without them a planner can pick a nested loop that turns milliseconds into
   * seconds, and autovacuum may be off.
   */
  noteIngest(): void;
  readonly dialect: Dialect;
  /** Where it lives, without credentials, for logs and `/healthz`. */
  readonly location: string;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  /** `postgres://…`; when absent, SQLite in `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
}

// PostgreSQL returns COUNT and BIGINT as strings; the store only counts, so parse them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/**
 * Open (and migrate) the database the configuration names.
 * @throws StoreError STORE_UNAVAILABLE when it cannot be reached or opened
 */
export async function openDb(opts: OpenDbOptions): Promise<Db> {
  const url = opts.databaseUrl;
  if (url !== undefined && url !== '') {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new StoreError(
        'STORE_UNAVAILABLE',
        'CUSTODY_DATABASE_URL must be a postgres:// URL; unset it to use the embedded SQLite database',
      );
    }
    const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10 });
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const location = redact(url);
    try {
      await migrate(kysely, 'postgres');
    } catch (e) {
      await kysely.destroy();
      throw unavailable(e, location);
    }
    const stats = new StatsRefresher(() => sql`analyze`.execute(kysely));
    return {
      kysely,
      read: kysely,
      writes: new WriteQueue(kysely, { beforeCommit: bumpWriteGeneration }),
      dialect: 'postgres',
      location,
      noteIngest: () => stats.note(),
      close: async () => {
        await stats.idle();
        await kysely.destroy();
      },
    };
  }
  const file = join(opts.dataDir, 'custody.db');
  let sqlite: SqliteDatabase.Database;
  try {
    // 0700 directory, 0600 file: SQLite gives its -wal and -shm files the database file's mode.
    privateDir(opts.dataDir);
    privateFile(file);
    for (const side of ['-wal', '-shm']) privateFileIfPresent(`${file}${side}`);
    sqlite = new SqliteDatabase(file);
  } catch (e) {
    throw unavailable(e, file);
  }
  // WAL lets readers go on while a writer commits. FULL sync makes every commit durable across
  // power loss too, not only process crashes: the transparency log acknowledges an entry only once
  // it is on disk. Commits are grouped (ingests and log batches), so the fsync is paid per batch
  // and costs no measurable throughput (npm run bench -- tlog). A larger checkpoint interval lets index pages rewritten by many ingests reach the database
  // file once.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -131072');
  sqlite.pragma('wal_autocheckpoint = 8192');
  const kysely = new Kysely<Database>({
    dialect: new SqliteDialect({ database: cachingStatements(sqlite) }),
  });
  await migrate(kysely, 'sqlite');
  const reader = new SqliteDatabase(file);
  reader.pragma('busy_timeout = 5000');
  reader.pragma('cache_size = -131072');
  const read = new Kysely<Database>({
    dialect: new SqliteDialect({ database: cachingStatements(reader) }),
  });
  const stats = new StatsRefresher(async () => {
    sqlite.pragma('optimize');
  });
  // Commits whose fsync runs off the event loop, answered once synced (store/wal-sync.ts).
  const writes = new WriteQueue(kysely, { beforeCommit: bumpWriteGeneration, sqlite });
  return {
    kysely,
    read,
    writes,
    sqlite,
    dialect: 'sqlite',
    location: file,
    noteIngest: () => stats.note(),
    close: async () => {
      await stats.idle();
      await writes.close();
      await read.destroy();
      await kysely.destroy();
    },
  };
}

function privateFileIfPresent(path: string): void {
  try {
    privateFile(path);
  } catch {
    // Gone between the check and the change (another process checkpointed): nothing to tighten.
  }
}

function unavailable(e: unknown, location: string): StoreError {
  if (e instanceof StoreError) return e;
  return new StoreError(
    'STORE_UNAVAILABLE',
    `Cannot open the database at ${location}: ${(e as Error)?.message ?? String(e)}`,
    { cause: e, details: { location } },
  );
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

/**
 * Kysely's SQLite driver prepares every statement anew; preparing costs more than running a small
 * query. The same SQL text always gets the same prepared statement back (better-sqlite3 statements
 * are reusable, and Kysely never iterates two at once on one connection). Bounded, oldest out.
 */
function cachingStatements(db: SqliteDatabase.Database): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = (source: string) => {
    let st = cache.get(source);
    if (st) {
      cache.delete(source);
    } else {
      st = db.prepare(source);
      if (cache.size >= 500) cache.delete(cache.keys().next().value as string);
    }
    cache.set(source, st);
    return st;
  };
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'prepare') return prepare;
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** Runs `refresh` after ingest 25, 250, 2,500, … and every 25,000 after that; never two at once. */
class StatsRefresher {
  private count = 0;
  private next = 25;
  private running: Promise<void> | undefined;

  constructor(private readonly refresh: () => Promise<unknown>) {}

  note(): void {
    if (++this.count < this.next) return;
    this.next = this.next < 25_000 ? this.next * 10 : this.next + 25_000;
    if (this.running) return;
    this.running = this.refresh()
      .then(
        () => undefined,
        () => undefined, // statistics are an optimisation; a failure must not fail an ingest
      )
      .finally(() => {
        this.running = undefined;
      });
  }

  async idle(): Promise<void> {
    await this.running;
  }
}

/** Resolves when the database answers a trivial query; rejects when it cannot be reached. */
export async function pingDb(db: Db): Promise<void> {
  await sql`select 1`.execute(db.kysely);
}
