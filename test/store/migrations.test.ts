import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ingestSbom } from '../../src/app/inventory/ingest-sbom.js';
import { bootstrapAdminToken, CLI_CALLER } from '../../src/app/tokens.js';
import { openDb } from '../../src/store/db.js';
import { StoreError } from '../../src/store/errors.js';
import { demoSbom } from '../app/inventory/fixtures.js';
import { expectCustodyErrorAsync } from '../helpers/expect-error.js';
import { BACKENDS, freshServices } from '../helpers/store.js';

for (const backend of BACKENDS) {
  describe(`migrations (${backend})`, () => {
    it('opening an existing database again migrates nothing and keeps the data', async () => {
      const s = await freshServices(backend);
      try {
        await bootstrapAdminToken(s);
        await ingestSbom(s, CLI_CALLER, {
          bytes: await demoSbom('demo-app'),
          product: 'demo',
          release: '1.0.0',
        });
        const applied = await s.db.kysely
          .selectFrom('kysely_migration' as never)
          .select('name' as never)
          .execute();
        assert.ok(applied.length >= 1);
        // Twice more, one of them while the first connection is still open (a second replica).
        for (let i = 0; i < 2; i++) {
          const again = await openDb({ dataDir: s.dataDir, databaseUrl: s.databaseUrl });
          try {
            assert.equal(again.dialect, backend);
            const rows = await again.kysely.selectFrom('sboms').select('component_count').execute();
            assert.deepEqual(
              rows.map((r) => r.component_count),
              [75],
            );
            const now = await again.kysely
              .selectFrom('kysely_migration' as never)
              .select('name' as never)
              .execute();
            assert.deepEqual(now, applied);
          } finally {
            await again.close();
          }
        }
      } finally {
        await s.close();
      }
    });

    it('two replicas starting at once on a fresh database both come up', async () => {
      const s = await freshServices(backend);
      try {
        const [a, b] = await Promise.all([
          openDb({ dataDir: s.dataDir, databaseUrl: s.databaseUrl }),
          openDb({ dataDir: s.dataDir, databaseUrl: s.databaseUrl }),
        ]);
        await a.close();
        await b.close();
      } finally {
        await s.close();
      }
    });
  });
}

describe('migrations (postgres, several schemas in one database)', () => {
  it('a store in one schema migrates while another schema of the same database holds one', async () => {
    // Regression: Kysely's table check looks at every schema of the database, so a Migrator not
    // told its schema skipped creating its own tables when another schema had them and failed with
    // `relation "kysely_migration_lock" does not exist` (fixed in 5065d2a).
    const a = await freshServices('postgres');
    try {
      const b = await freshServices('postgres');
      await b.close();
    } finally {
      await a.close();
    }
  });
});

describe('openDb errors', () => {
  it('a URL that is not postgres:// is STORE_UNAVAILABLE', async () => {
    await expectCustodyErrorAsync(
      () => openDb({ dataDir: '/nonexistent', databaseUrl: 'mysql://localhost/x' }),
      StoreError,
      'STORE_UNAVAILABLE',
    );
  });

  it('an unreachable PostgreSQL is STORE_UNAVAILABLE, without the password in the message', async () => {
    // Regression: a refused connection was reported as STORE_MIGRATION_FAILED ("Migration unknown
    // failed: connect ECONNREFUSED").
    const e = await expectCustodyErrorAsync(
      () => openDb({ dataDir: '/nonexistent', databaseUrl: 'postgres://u:s3cret@127.0.0.1:1/x' }),
      StoreError,
      'STORE_UNAVAILABLE',
    );
    assert.ok(!e.message.includes('s3cret'), e.message);
  });
});
