import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { ingestSbom } from '../../../src/app/inventory/ingest-sbom.js';
import { SearchCache } from '../../../src/app/inventory/search-cache.js';
import { searchInventory } from '../../../src/app/inventory/search-components.js';
import { patchRelease } from '../../../src/app/inventory/update-release.js';
import { openServices } from '../../../src/app/services.js';
import { bootstrapAdminToken, CLI_CALLER, createToken } from '../../../src/app/tokens.js';
import { parseComponentQuery } from '../../../src/inventory/query.js';
import { BACKENDS, freshServices, type TestServices } from '../../helpers/store.js';

/** The advisory lock the PostgreSQL test pauses a writer with. */
const LOCK = 731_004;

import { caller, demoSbom } from './fixtures.js';

for (const backend of BACKENDS) {
  describe(`search cache (${backend})`, () => {
    let s: TestServices;
    before(async () => {
      s = await freshServices(backend);
      s.searchCache = new SearchCache(100);
      await bootstrapAdminToken(s);
      await createToken(s, CLI_CALLER, { role: 'viewer', teams: ['other'] });
    });
    after(() => s.close());

    const lodash = parseComponentQuery({ purl: 'pkg:npm/lodash' });
    const admin = caller('admin');

    it('serves a repeat from the cache, and never an answer older than the last write', async () => {
      await ingestSbom(s, admin, {
        bytes: await demoSbom('demo-app'),
        product: 'p',
        release: '1.0.0',
      });
      const first = await searchInventory(s, admin, lodash);
      assert.equal(first.items.length, 1);
      assert.equal(await searchInventory(s, admin, lodash), first, 'a repeat is the cached answer');

      await ingestSbom(s, admin, {
        bytes: await demoSbom('demo-app-1.1'),
        product: 'p',
        release: '1.1.0',
      });
      const second = await searchInventory(s, admin, lodash);
      assert.equal(second.items.length, 2, 'an ingest invalidates');

      await patchRelease(s, admin, second.items[0]?.release.id as number, { deployed: true });
      const third = await searchInventory(s, admin, lodash);
      assert.equal(third.items[0]?.release.deployed, true, 'any write invalidates');
    });

    it('keeps answers apart per team scope', async () => {
      const outsider = caller('viewer', ['other']);
      assert.equal((await searchInventory(s, outsider, lodash)).items.length, 0);
      assert.equal((await searchInventory(s, admin, lodash)).items.length, 2);
      assert.equal((await searchInventory(s, outsider, lodash)).items.length, 0);
    });
  });
}

// Regression test: the generation was max(audit_events.id). PostgreSQL hands ids out at insert,
// so a writer holding a lower id that committed after one holding a higher id left the newest id
// where it was, and an answer cached in between was served stale until the next write. Audit ids
// now follow the audit chain's head lock (store/audit.ts), so the slow writer pauses before its
// audit insert: it still commits after a write that started later, with the cache in between.
describe('search cache on PostgreSQL: two writers, the one that started first committing last', () => {
  let s: TestServices;
  let replica: Awaited<ReturnType<typeof openServices>>;
  let locker: pg.Client;
  before(async () => {
    s = await freshServices('postgres');
    s.searchCache = new SearchCache(100);
    await bootstrapAdminToken(s); // creates the team default
    replica = await openServices({
      dataDir: s.dataDir,
      databaseUrl: s.databaseUrl,
      tlog: false,
    });
    // Test instrumentation in the private schema: the insert of product "slow" waits for an
    // advisory lock the test holds, inside its transaction and before it commits.
    await sql`create function custody_test_pause() returns trigger language plpgsql as $$
      begin
        if NEW.name = 'slow' then perform pg_advisory_xact_lock(${sql.lit(LOCK)}); end if;
        return NEW;
      end $$`.execute(s.db.kysely);
    await sql`create trigger custody_test_pause after insert on products
      for each row execute function custody_test_pause()`.execute(s.db.kysely);
    locker = new pg.Client({ connectionString: s.databaseUrl });
    await locker.connect();
  });
  after(async () => {
    await locker.end();
    await replica.close();
    await s.close();
  });

  it('a cached answer is refreshed when the earlier writer commits', async () => {
    const admin = caller('admin');
    const lodash = parseComponentQuery({ purl: 'pkg:npm/lodash' });
    const base = await ingestSbom(s, admin, {
      bytes: await demoSbom('demo-app-1.1'),
      product: 'base',
      release: '1.1.0',
    });
    await locker.query('select pg_advisory_lock($1)', [LOCK]);
    const slow = ingestSbom(s, admin, {
      bytes: await demoSbom('demo-app'),
      product: 'slow',
      release: '1.0.0',
    });
    slow.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
    try {
      // Wait until the slow writer waits inside its transaction.
      for (let i = 0; ; i++) {
        const r = await locker.query(
          "select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted",
        );
        if (r.rows[0].n > 0) break;
        assert.ok(i < 500, 'the slow writer never reached its product insert');
        await new Promise((r) => setTimeout(r, 10));
      }
      // Another replica's write (on rows the slow writer does not touch) commits first.
      await patchRelease(replica, admin, base.sbom.releaseId, { deployed: true });
      const between = await searchInventory(s, admin, lodash);
      assert.deepEqual(
        between.items.map((h) => [h.product.name, h.release.deployed]),
        [['base', true]],
      );
    } finally {
      await locker.query('select pg_advisory_unlock($1)', [LOCK]);
    }
    await slow;
    const ids = await sql<{ action: string }>`
      select action from audit_events where action in ('sbom.ingest', 'release.update')
      order by id`.execute(s.db.kysely);
    assert.deepEqual(
      ids.rows.map((r) => r.action),
      ['sbom.ingest', 'release.update', 'sbom.ingest'],
      'audit ids follow the order of commits',
    );
    const after_ = await searchInventory(s, admin, lodash);
    assert.deepEqual(after_.items.map((h) => h.product.name).sort(), ['base', 'slow']);
  });
});

describe('SearchCache', () => {
  it('drops the least recently used entry at capacity, and stores nothing at capacity 0', () => {
    const c = new SearchCache<number>(2);
    c.set('a', 1, 1);
    c.set('b', 1, 2);
    assert.equal(c.get('a', 1), 1);
    c.set('c', 1, 3);
    assert.equal(c.get('b', 1), undefined);
    assert.equal(c.get('a', 1), 1);
    assert.equal(c.get('a', 2), undefined, 'another generation misses');
    const off = new SearchCache<number>(0);
    off.set('a', 1, 1);
    assert.equal(off.get('a', 1), undefined);
  });
});
