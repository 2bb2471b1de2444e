import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDb } from '../../src/store/db.js';
import { createTlogStore } from '../../src/store/tlog.js';
import { runTlogStoreContract } from '../contract/tlog-store.js';
import { TEST_PG_URL } from '../helpers/store.js';

runTlogStoreContract('SQLite', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'custody-tlog-contract-'));
  const db = await openDb({ dataDir });
  return {
    store: createTlogStore(db),
    async close() {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});

runTlogStoreContract('PostgreSQL', async () => {
  const schema = `tc_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await admin(`CREATE SCHEMA ${schema}`);
  const u = new URL(TEST_PG_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'custody-tlog-contract-'));
  const db = await openDb({ dataDir, databaseUrl: u.toString() });
  return {
    store: createTlogStore(db),
    async close() {
      await db.close();
      await admin(`DROP SCHEMA ${schema} CASCADE`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
