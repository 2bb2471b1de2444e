import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { StoreError } from './errors.js';
import { type Dialect, migrate } from './migrations.js';
import type { Database } from './schema.js';
import { WriteQueue } from './write-queue.js';

export type { Dialect };

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
    return {
      kysely,
      read: kysely,
      writes: new WriteQueue(kysely),
      dialect: 'postgres',
      location,
      close: () => kysely.destroy(),
    };
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const file = join(opts.dataDir, 'custody.db');
  let sqlite: SqliteDatabase.Database;
  try {
    sqlite = new SqliteDatabase(file);
  } catch (e) {
    throw unavailable(e, file);
  }
  // WAL lets readers go on while a writer commits; NORMAL sync is durable across process crashes.
  // A larger checkpoint interval lets index pages rewritten by many ingests reach the database
  // file once.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -131072');
  sqlite.pragma('wal_autocheckpoint = 8192');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(kysely, 'sqlite');
  const reader = new SqliteDatabase(file);
  reader.pragma('busy_timeout = 5000');
  reader.pragma('cache_size = -131072');
  const read = new Kysely<Database>({ dialect: new SqliteDialect({ database: reader }) });
  return {
    kysely,
    read,
    writes: new WriteQueue(kysely),
    sqlite,
    dialect: 'sqlite',
    location: file,
    close: async () => {
      await read.destroy();
      await kysely.destroy();
    },
  };
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
