import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type Db, openDb } from '../../src/store/db.js';
import { createTlogStore } from '../../src/store/tlog.js';
import { EMPTY_ROOT, leafHash } from '../../src/tlog/hashing.js';
import { ed25519NoteSigner } from '../../src/tlog/note-keys.js';
import { integrateBatch, type SequencedEntryInput } from '../../src/tlog/sequence.js';
import { MerkleTree } from '../../src/tlog/tree.js';
import { until } from '../helpers/until.js';

/**
 * On SQLite a log batch commits without syncing inside COMMIT (which would stop the event loop)
 * and syncs the WAL afterwards on the thread pool. What must hold: a batch is answered only after
 * its WAL sync has completed; a failed sync answers nobody (and the next batch syncs again before
 * it answers, even with duplicates alone); and every other writer on the connection still
 * commits with synchronous = FULL.
 */

const ORIGIN = 'durable.example/log';
const signer = ed25519NoteSigner(ORIGIN, generateKeyPairSync('ed25519').privateKey);
const o = () => ({ origin: ORIGIN, signer, now: new Date(1_000_000) });

function input(n: number): SequencedEntryInput {
  const body = Buffer.from(JSON.stringify({ n }));
  return {
    kind: 'test',
    body,
    leafHash: leafHash(body),
    subject: `sha256:${createHash('sha256').update(String(n)).digest('hex')}`,
  };
}

const FULL = 2;
const dirs: string[] = [];
const dbs: Db[] = [];
after(async () => {
  for (const db of dbs) await db.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function freshLog(syncWal: (walPath: string) => Promise<void>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'custody-tlog-durable-'));
  dirs.push(dataDir);
  const db = await openDb({ dataDir });
  dbs.push(db);
  const store = createTlogStore(db, { syncWal });
  await store.createLog(ORIGIN, {
    size: 0,
    rootHash: EMPTY_ROOT,
    note: 'first\n',
    cosignatures: '',
    createdAt: new Date(0).toISOString(),
  });
  return { db, store, tree: new MerkleTree() };
}

describe('SQLite log batches: durable before answered', () => {
  it('answers a batch only once its WAL sync has completed, the WAL of this database', async () => {
    const events: string[] = [];
    let release: () => void = () => {};
    const { db, store, tree } = await freshLog(async (walPath) => {
      assert.equal(walPath, `${db.sqlite?.name}-wal`);
      events.push('sync started');
      await new Promise<void>((r) => {
        release = r;
      });
      events.push('sync done');
    });
    const pending = integrateBatch(store, tree, [input(1), input(2)], o()).then((r) => {
      events.push('answered');
      return r;
    });
    await until(() => events.includes('sync started'), "the batch's WAL sync");
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(events, ['sync started']);
    release();
    const r = await pending;
    assert.deepEqual(events, ['sync started', 'sync done', 'answered']);
    assert.deepEqual(
      r.entries.map((e) => e?.idx),
      [0, 1],
    );
    assert.equal(db.sqlite?.pragma('synchronous', { simple: true }), FULL);
  });

  it('answers nobody when the sync fails, and syncs again before answering duplicates', async () => {
    let fail = true;
    let syncs = 0;
    const { db, store, tree } = await freshLog(async () => {
      syncs += 1;
      if (fail) throw new Error('EIO: the disk failed');
    });
    await assert.rejects(integrateBatch(store, tree, [input(1)], o()), /EIO/);
    assert.equal(syncs, 1);
    fail = false;
    // The retried entry is stored already: a duplicate, answered only after a good sync.
    const again = await integrateBatch(store, tree, [input(1)], o());
    assert.equal(syncs, 2);
    assert.equal(again.entries[0]?.idx, 0);
    assert.equal(again.entries[0]?.duplicate, true);
    assert.equal(tree.size, 1);
    // Once synced, a batch of duplicates alone writes nothing and needs no sync.
    await integrateBatch(store, tree, [input(1)], o());
    assert.equal(syncs, 2);
    assert.equal(db.sqlite?.pragma('synchronous', { simple: true }), FULL);
  });

  it('leaves other writers on the connection with synchronous = FULL, batch or not', async () => {
    const seen: number[] = [];
    const { db, store, tree } = await freshLog(async () => {});
    const other = async () => {
      await db.kysely.transaction().execute(async () => {
        seen.push(db.sqlite?.pragma('synchronous', { simple: true }) as number);
      });
    };
    await Promise.all([
      integrateBatch(store, tree, [input(1)], o()),
      other(),
      integrateBatch(store, tree, [input(2)], o()),
      other(),
    ]);
    assert.deepEqual(seen, [FULL, FULL]);
  });

  it('syncs the real WAL file by default, and the log reopens with every entry', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'custody-tlog-durable-'));
    dirs.push(dataDir);
    const db = await openDb({ dataDir });
    const store = createTlogStore(db);
    await store.createLog(ORIGIN, {
      size: 0,
      rootHash: EMPTY_ROOT,
      note: 'first\n',
      cosignatures: '',
      createdAt: new Date(0).toISOString(),
    });
    const tree = new MerkleTree();
    await integrateBatch(store, tree, [input(1), input(2), input(3)], o());
    await store.close?.();
    await db.close();
    const reopened = await openDb({ dataDir });
    dbs.push(reopened);
    assert.equal((await createTlogStore(reopened).primary.readState())?.size, 3);
  });
});
