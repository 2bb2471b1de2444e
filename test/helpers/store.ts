import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Services } from '../../src/app/services.js';
import { openServices } from '../../src/app/services.js';

/** PostgreSQL for the store tests: the machine's server, database `test` (trust auth). */
export const TEST_PG_URL =
  process.env['CUSTODY_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export type Backend = 'sqlite' | 'postgres';
export const BACKENDS: readonly Backend[] = ['sqlite', 'postgres'];

export interface TestServices extends Services {
  dataDir: string;
  backend: Backend;
  /** The PostgreSQL URL of this instance's private schema (undefined on SQLite). */
  databaseUrl: string | undefined;
  close(): Promise<void>;
}

/**
 * A fresh, migrated store: a temporary SQLite data directory, or a private schema in the test
 * PostgreSQL database (dropped again on close), so tests never see each other's rows.
 */
export async function freshServices(
  backend: Backend,
  clock?: () => Date,
  more: Pick<Parameters<typeof openServices>[0], 'tlog' | 'jobs'> = {},
): Promise<TestServices> {
  const dataDir = mkdtempSync(join(tmpdir(), 'custody-store-'));
  let databaseUrl: string | undefined;
  let schema: string | undefined;
  if (backend === 'postgres') ({ schema, url: databaseUrl } = await privatePgSchema());
  const s = await openServices({ dataDir, databaseUrl, ...(clock ? { clock } : {}), ...more });
  return {
    ...s,
    dataDir,
    backend,
    databaseUrl,
    async close() {
      await s.close();
      if (schema) await dropPgSchema(schema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A new schema of its own in the test database, and a URL whose connections use it. */
export async function privatePgSchema(): Promise<{ schema: string; url: string }> {
  const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await adminQuery(`CREATE SCHEMA ${schema}`);
  const u = new URL(TEST_PG_URL);
  // No parallel workers: test files run two at a time, and a parallel worker reading the catalogue
  // (Kysely's migrator lists every schema's tables) fails with "schema … does not exist" when
  // another file drops its private schema meanwhile; the leader alone does not.
  u.searchParams.set('options', `-c search_path=${schema} -c max_parallel_workers_per_gather=0`);
  return { schema, url: u.toString() };
}

export async function dropPgSchema(schema: string): Promise<void> {
  await adminQuery(`DROP SCHEMA ${schema} CASCADE`);
}

async function adminQuery(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
