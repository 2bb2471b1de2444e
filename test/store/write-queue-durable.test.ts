import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Transaction } from 'kysely';
import { type Db, openDb } from '../../src/store/db.js';
import type { Database } from '../../src/store/schema.js';
import { WriteQueue } from '../../src/store/write-queue.js';
import { until } from '../helpers/until.js';

/**
 * On SQLite the write queue (ingests, matching jobs) commits a batch without syncing inside
 * COMMIT (which would stop the event loop) and syncs the WAL afterwards on the thread pool. What
 * must hold: a write is answered only after a WAL sync that began after its commit has completed;
 * a failed sync answers none of its batch with success; every other writer on the connection
 * still commits with synchronous = FULL.
 */

const FULL = 2;
const dirs: string[] = [];
const dbs: Db[] = [];
after(async () => {
  for (const db of dbs) await db.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function freshQueue(syncWal: (walPath: string) => Promise<void>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'custody-writes-durable-'));
  dirs.push(dataDir);
  const db = await openDb({ dataDir });
  dbs.push(db);
  return { db, queue: new WriteQueue(db.kysely, { sqlite: db.sqlite, syncWal }) };
}

const team = (name: string) => async (trx: Transaction<Database>) => {
  await trx
    .insertInto('teams')
    .values({ name, gate_policy: null, created_at: '2026-01-01T00:00:00.000Z' })
    .execute();
  return name;
};

const teamNames = async (db: Db) =>
  (await db.read.selectFrom('teams').select('name').orderBy('name').execute()).map((r) => r.name);

describe('SQLite write batches: durable before answered', () => {
  it('answers a write only once its WAL sync has completed, the WAL of this database', async () => {
    const events: string[] = [];
    const releases: (() => void)[] = [];
    const { db, queue } = await freshQueue(async (walPath) => {
      assert.equal(walPath, `${db.sqlite?.name}-wal`);
      events.push('sync started');
      await new Promise<void>((r) => releases.push(r));
      events.push('sync done');
    });
    const first = queue.run(team('durable-a')).then((r) => {
      events.push(`answered ${r}`);
    });
    await until(() => releases.length >= 1, "the first batch's WAL sync");
    // Committed (the next batch may run meanwhile), but not answered before its sync.
    assert.ok((await teamNames(db)).includes('durable-a'));
    const second = queue.run(team('durable-b')).then((r) => {
      events.push(`answered ${r}`);
    });
    await until(() => releases.length >= 2, "the second batch's WAL sync");
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(events, ['sync started', 'sync started']);
    releases[0]?.();
    await first;
    assert.deepEqual(events.slice(2), ['sync done', 'answered durable-a']);
    releases[1]?.();
    await second;
    assert.deepEqual(events.slice(4), ['sync done', 'answered durable-b']);
    assert.equal(db.sqlite?.pragma('synchronous', { simple: true }), FULL);
  });

  it('answers nobody with success when the sync fails; the failed write alone still fails alone', async () => {
    let fail = true;
    const { db, queue } = await freshQueue(async () => {
      if (fail) throw new Error('EIO: the disk failed');
    });
    const ok = queue.run(team('sync-fails'));
    const bad = queue.run(async () => {
      throw new Error('own failure');
    });
    await assert.rejects(ok, /EIO/);
    await assert.rejects(bad, /own failure/);
    fail = false;
    assert.equal(await queue.run(team('sync-works')), 'sync-works');
    assert.equal(db.sqlite?.pragma('synchronous', { simple: true }), FULL);
    await queue.close();
  });

  it('leaves other writers on the connection with synchronous = FULL', async () => {
    const seen: number[] = [];
    const { db, queue } = await freshQueue(async () => {});
    const other = async () => {
      await db.kysely.transaction().execute(async () => {
        seen.push(db.sqlite?.pragma('synchronous', { simple: true }) as number);
      });
    };
    await Promise.all([queue.run(team('x1')), other(), queue.run(team('x2')), other()]);
    assert.deepEqual(seen, [FULL, FULL]);
  });

  it("syncs the real WAL by default (the service's queue), and the database reopens with the writes", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'custody-writes-durable-'));
    dirs.push(dataDir);
    const db = await openDb({ dataDir });
    await Promise.all(['r1', 'r2', 'r3'].map((n) => db.writes.run(team(n))));
    await db.close();
    const reopened = await openDb({ dataDir });
    dbs.push(reopened);
    assert.deepEqual(
      (await teamNames(reopened)).filter((n) => n.startsWith('r')),
      ['r1', 'r2', 'r3'],
    );
  });
});
