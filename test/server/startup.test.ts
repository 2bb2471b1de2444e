import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { openServices } from '../../src/app/services.js';
import { TEST_PG_URL } from '../helpers/store.js';

async function admin(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

describe('custody serve on a shared PostgreSQL database (postgres)', () => {
  // Regression test for a fixed bug: Kysely's Migrator (src/store/migrations.ts, no migrationTableSchema) looks for its
  // kysely_migration tables in every schema of the database. When another schema has them (another
  // application, another Custody instance, or a concurrently running test's private schema), it skips
  // creating its own and then fails: STORE_MIGRATION_FAILED "relation kysely_migration_lock does not
  // exist". This also makes PostgreSQL tests flaky whenever two test processes create schemas at once.
  it('starts in its own schema when another schema of the database has migrated already', async () => {
    // A database of its own, so the foreign schema cannot disturb other tests running meanwhile.
    const db = `custody_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    await admin(TEST_PG_URL, `create database ${db}`);
    const base = new URL(TEST_PG_URL);
    base.pathname = `/${db}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'custody-startup-'));
    try {
      await admin(base.toString(), 'create schema other');
      await admin(base.toString(), 'create schema mine');
      const other = new URL(base);
      other.searchParams.set('options', '-c search_path=other');
      const first = await openServices({ dataDir, databaseUrl: other.toString() });
      await first.close();
      const mine = new URL(base);
      mine.searchParams.set('options', '-c search_path=mine');
      const second = await openServices({ dataDir, databaseUrl: mine.toString() });
      const own = await sql<{ n: number }>`
        select count(*)::int as n from information_schema.tables
        where table_schema = 'mine' and table_name in ('kysely_migration', 'components')`.execute(
        second.db.kysely,
      );
      await second.close();
      assert.equal(own.rows[0]?.n, 2, 'its migration bookkeeping and tables are in its own schema');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      await admin(TEST_PG_URL, `drop database ${db} with (force)`);
    }
  });
});
