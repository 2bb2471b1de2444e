import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../src/store/db.js';
import { createTlogStore } from '../../src/store/tlog.js';
import { runTlogStoreContract } from '../contract/tlog-store.js';
import { dropPgSchema, privatePgSchema } from '../helpers/store.js';

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
  const { schema, url } = await privatePgSchema();
  const dataDir = mkdtempSync(join(tmpdir(), 'custody-tlog-contract-'));
  const db = await openDb({ dataDir, databaseUrl: url });
  return {
    store: createTlogStore(db),
    async close() {
      await db.close();
      await dropPgSchema(schema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
