import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { StoreError } from './errors.js';
import { type Dialect, migrate } from './migrations.js';
import type { Database } from './schema.js';

export type { Dialect };

/** An open database: Kysely over SQLite (embedded default) or PostgreSQL, migrated. */
export interface Db {
  readonly kysely: Kysely<Database>;
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
    return { kysely, dialect: 'postgres', location, close: () => kysely.destroy() };
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
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -65536');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(kysely, 'sqlite');
  return { kysely, dialect: 'sqlite', location: file, close: () => kysely.destroy() };
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
