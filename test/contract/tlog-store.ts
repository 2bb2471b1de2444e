import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { EMPTY_ROOT, leafHash } from '../../src/tlog/hashing.js';
import { ed25519NoteSigner } from '../../src/tlog/note-keys.js';
import type { StoredCheckpoint, StoredEntry, TlogEntryStore } from '../../src/tlog/ports.js';
import { integrateBatch, type SequencedEntryInput } from '../../src/tlog/sequence.js';
import { MerkleTree } from '../../src/tlog/tree.js';

/** A store under test and how to dispose of it. */
export interface TlogStoreUnderTest {
  store: TlogEntryStore;
  close(): Promise<void>;
}

const ORIGIN = 'contract.example/log';
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const signer = ed25519NoteSigner(ORIGIN, generateKeyPairSync('ed25519').privateKey);

function input(n: number | string): SequencedEntryInput {
  const body = Buffer.from(JSON.stringify({ n }));
  return {
    kind: 'test',
    body,
    leafHash: leafHash(body),
    subject: `sha256:${createHash('sha256').update(String(n)).digest('hex')}`,
  };
}

function firstCheckpoint(): StoredCheckpoint {
  return {
    size: 0,
    rootHash: EMPTY_ROOT,
    note: `${ORIGIN}\n0\n${EMPTY_ROOT.toString()}\n`,
    cosignatures: '',
    createdAt: new Date(0).toISOString(),
  };
}

// Entries [from, from+n) with their tree head, as the sequencer would commit them.
function batch(tree: MerkleTree, ns: readonly (number | string)[], time: number) {
  const entries: StoredEntry[] = ns.map((n) => {
    const e = input(n);
    return { idx: tree.append(e.leafHash), ...e, integratedTime: time };
  });
  const checkpoint: StoredCheckpoint = {
    size: tree.size,
    rootHash: tree.root(),
    note: `note at ${tree.size}\n`,
    cosignatures: '',
    createdAt: new Date(time * 1000).toISOString(),
  };
  return { entries, checkpoint };
}

async function allLeafHashes(store: TlogEntryStore): Promise<string[]> {
  const out: string[] = [];
  for await (const page of store.primary.leafHashesFrom(0)) out.push(...page.map(hex));
  return out;
}

/**
 * The contract of the transparency log's entry store (src/tlog/ports.ts), run against one
 * implementation. `make` opens a fresh, empty store each time.
 */
export function runTlogStoreContract(name: string, make: () => Promise<TlogStoreUnderTest>): void {
  describe(`tlog entry store contract (${name})`, () => {
    const open: TlogStoreUnderTest[] = [];
    after(async () => {
      for (const s of open) await s.close();
    });
    const fresh = async (): Promise<TlogEntryStore> => {
      const s = await make();
      open.push(s);
      await s.store.createLog(ORIGIN, firstCheckpoint());
      return s.store;
    };

    it('creates the log once: a second createLog changes nothing', async () => {
      const s = await make();
      open.push(s);
      assert.equal(await s.store.primary.readState(), undefined);
      assert.equal(await s.store.primary.latestCheckpoint(), undefined);
      await s.store.createLog(ORIGIN, firstCheckpoint());
      await s.store.createLog('other.example/log', { ...firstCheckpoint(), note: 'other\n' });
      const state = await s.store.primary.readState();
      assert.equal(state?.origin, ORIGIN);
      assert.equal(state?.size, 0);
      assert.deepEqual(new Uint8Array(state?.rootHash ?? []), new Uint8Array(EMPTY_ROOT));
      const cps = await s.store.reader.checkpointsSince({}, 10);
      assert.deepEqual(
        cps.map((c) => c.note),
        [firstCheckpoint().note],
      );
    });

    it('commits a batch with its tree head and checkpoint, and reads it back every way', async () => {
      const store = await fresh();
      const tree = new MerkleTree();
      const b1 = batch(tree, [0, 1, 2], 1000);
      await store.inBatch(async (w) => {
        assert.equal((await w.lockState())?.size, 0);
        await w.commitBatch(b1.entries, b1.checkpoint);
      });
      const b2 = batch(tree, [3, 4], 2000);
      await store.inBatch((w) => w.commitBatch(b2.entries, b2.checkpoint));

      for (const r of [store.primary, store.reader]) {
        const state = await r.readState();
        assert.equal(state?.size, 5);
        assert.equal(hex(state?.rootHash ?? new Uint8Array()), hex(tree.root()));
        const e3 = await r.entryAt(3);
        assert.equal(e3?.idx, 3);
        assert.equal(hex(e3?.leafHash ?? new Uint8Array()), hex(input(3).leafHash));
        assert.equal(Buffer.from(e3?.body ?? []).toString(), JSON.stringify({ n: 3 }));
        assert.equal(e3?.integratedTime, 2000);
        assert.equal(e3?.subject, input(3).subject);
        assert.equal(e3?.kind, 'test');
        assert.equal(await r.entryAt(5), undefined);
        assert.equal((await r.entryByLeafHash(input(1).leafHash))?.idx, 1);
        assert.equal(await r.entryByLeafHash(input(99).leafHash), undefined);
        assert.deepEqual(
          (await r.entriesBySubject(input(4).subject, 10)).map((e) => e.idx),
          [4],
        );
        assert.deepEqual(await r.entriesBySubject('sha256:00', 10), []);
        assert.deepEqual(
          (await r.bodies(1, 4)).map((b) => Buffer.from(b).toString()),
          [1, 2, 3].map((n) => JSON.stringify({ n })),
        );
        assert.equal((await r.bodies(4, 9)).length, 1, 'bodies past the end are left out');
        assert.equal((await r.latestCheckpoint())?.size, 5);
        assert.equal((await r.checkpointAt(3))?.note, 'note at 3\n');
        assert.equal(await r.checkpointAt(4), undefined, 'no batch ended at 4');
        assert.deepEqual(
          (await r.checkpointsSince({ size: 1 }, 10)).map((c) => c.size),
          [3, 5],
        );
        assert.deepEqual(
          (await r.checkpointsSince({ at: new Date(1500_000).toISOString() }, 10)).map(
            (c) => c.size,
          ),
          [5],
        );
        assert.deepEqual(
          (await r.checkpointsSince({}, 2)).map((c) => c.size),
          [0, 3],
          'smallest first, limited',
        );
      }
      assert.deepEqual(
        await allLeafHashes(store),
        [0, 1, 2, 3, 4].map((n) => hex(input(n).leafHash)),
      );
      const tail: string[] = [];
      for await (const page of store.primary.leafHashesFrom(3)) tail.push(...page.map(hex));
      assert.deepEqual(
        tail,
        [3, 4].map((n) => hex(input(n).leafHash)),
      );
    });

    it('finds stored leaf hashes by hex, with their first index and time', async () => {
      const store = await fresh();
      const tree = new MerkleTree();
      const b = batch(tree, ['a', 'b'], 1234);
      await store.inBatch((w) => w.commitBatch(b.entries, b.checkpoint));
      const found = await store.inBatch((w) =>
        w.findLeafHashes([input('b').leafHash, input('zz').leafHash]),
      );
      assert.deepEqual(
        [...found.entries()],
        [[hex(input('b').leafHash), { idx: 1, integratedTime: 1234 }]],
      );
    });

    it('leaves nothing of a batch whose transaction fails, and throws its error', async () => {
      const store = await fresh();
      const tree = new MerkleTree();
      const b = batch(tree, [0, 1], 1000);
      const boom = new Error('boom');
      await assert.rejects(
        store.inBatch(async (w) => {
          await w.commitBatch(b.entries, b.checkpoint);
          throw boom;
        }),
        (e) => e === boom,
      );
      assert.equal((await store.primary.readState())?.size, 0);
      assert.equal(await store.primary.entryAt(0), undefined);
      assert.equal(await store.primary.checkpointAt(2), undefined);
      assert.deepEqual(await allLeafHashes(store), []);
    });

    it('refuses a leaf hash stored already, leaving the earlier batch as it was', async () => {
      const store = await fresh();
      const tree = new MerkleTree();
      const b1 = batch(tree, [0], 1000);
      await store.inBatch((w) => w.commitBatch(b1.entries, b1.checkpoint));
      const again = batch(tree, [1, 0], 2000);
      await assert.rejects(store.inBatch((w) => w.commitBatch(again.entries, again.checkpoint)));
      assert.equal((await store.primary.readState())?.size, 1);
      assert.equal(await store.primary.entryAt(1), undefined);
      assert.equal((await store.primary.latestCheckpoint())?.size, 1);
    });

    it('through the sequencer: the same leaf again answers its first index and time', async () => {
      const store = await fresh();
      const tree = new MerkleTree();
      const o = (t: number) => ({ origin: ORIGIN, signer, now: new Date(t * 1000) });
      const first = await integrateBatch(store, tree, [input(0), input(1), input(0)], o(1000));
      assert.deepEqual(
        first.entries.map((e) => [e?.idx, e?.integratedTime, e?.duplicate]),
        [
          [0, 1000, false],
          [1, 1000, false],
          [0, 1000, true],
        ],
      );
      assert.equal(first.checkpoint?.size, 2);
      const second = await integrateBatch(store, tree, [input(1), input(2)], o(2000));
      assert.deepEqual(
        second.entries.map((e) => [e?.idx, e?.integratedTime, e?.duplicate]),
        [
          [1, 1000, true],
          [2, 2000, false],
        ],
      );
      const none = await integrateBatch(store, tree, [input(2)], o(3000));
      assert.equal(none.checkpoint, undefined, 'nothing new: no checkpoint');
      assert.deepEqual(
        none.entries.map((e) => e?.idx),
        [2],
      );
      assert.equal((await store.primary.readState())?.size, 3);
      assert.deepEqual(
        (await store.reader.checkpointsSince({}, 10)).map((c) => c.size),
        [0, 2, 3],
      );
    });

    it('through the sequencer: a failed commit leaves the tree as it was', async () => {
      const store = await fresh();
      const tree = new MerkleTree();
      const o = { origin: ORIGIN, signer, now: new Date(1_000_000) };
      await integrateBatch(store, tree, [input(0)], o);
      const failing: Pick<TlogEntryStore, 'inBatch'> = {
        inBatch: (f) =>
          store.inBatch(async (w) => {
            await f(w);
            throw new Error('commit lost');
          }),
      };
      await assert.rejects(integrateBatch(failing, tree, [input(1), input(2)], o), /commit lost/);
      assert.equal(tree.size, 1);
      assert.equal((await store.primary.readState())?.size, 1);
      const next = await integrateBatch(store, tree, [input(2)], o);
      assert.equal(next.entries[0]?.idx, 1);
    });

    it('appends cosignature lines to a checkpoint, and ignores an unknown size', async () => {
      const store = await fresh();
      await store.addCosignatures(0, '— w1 AAAA\n');
      await store.addCosignatures(0, '— w2 BBBB\n');
      await store.addCosignatures(7, '— w3 CCCC\n');
      const cp = await store.primary.checkpointAt(0);
      assert.equal(cp?.cosignatures, '— w1 AAAA\n— w2 BBBB\n');
      assert.equal(await store.primary.checkpointAt(7), undefined);
    });
  });
}
