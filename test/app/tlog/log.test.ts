import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { openServices } from '../../../src/app/services.js';
import { openCheckpoint } from '../../../src/tlog/checkpoint.js';
import {
  leafHash,
  MerkleTree,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/tlog/index.js';
import { parseVerifierKey } from '../../../src/tlog/note.js';
import type { SequencedEntryInput } from '../../../src/tlog/sequence.js';
import { decodeEntryBundle } from '../../../src/tlog/tiles.js';
import { BACKENDS, freshServices } from '../../helpers/store.js';

function entry(i: number | string): SequencedEntryInput {
  const body = Buffer.from(JSON.stringify({ kind: 'test', n: i }));
  return {
    kind: 'test',
    body,
    leafHash: leafHash(body),
    subject: `sha256:${createHash('sha256').update(String(i)).digest('hex')}`,
  };
}

for (const backend of BACKENDS) {
  describe(`transparency log sequencer (${backend})`, () => {
    const opened: Array<{ close(): Promise<void> }> = [];
    after(async () => {
      for (const s of opened) await s.close();
    });

    it('sequences concurrent appends into batches, each under a signed checkpoint', async () => {
      const s = await freshServices(backend);
      opened.push(s);
      const log = s.tlog?.log;
      assert.ok(log);
      assert.equal(log.size, 0);
      const verifier = parseVerifierKey(log.vkey);
      const empty = openCheckpoint(log.checkpoint().note, log.origin, [verifier]);
      assert.equal(empty.checkpoint.size, 0);

      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) => log.append(entry(i))),
      );
      const indices = results.map((r) => r.index).sort((a, b) => a - b);
      assert.deepEqual(
        indices,
        Array.from({ length: 300 }, (_, i) => i),
      );
      assert.equal(log.size, 300);
      const seen = new Set<number>();
      for (const [i, r] of results.entries()) {
        assert.equal(r.duplicate, false);
        const { checkpoint } = openCheckpoint(r.checkpoint.note, log.origin, [verifier]);
        seen.add(checkpoint.size);
        verifyInclusion(
          r.index,
          checkpoint.size,
          entry(i).leafHash,
          log.inclusionProof(r.index, checkpoint.size),
          checkpoint.rootHash,
        );
      }
      assert.ok(seen.size < 300, 'appends that arrive together share a batch');
      // Every checkpoint is consistent with the newest.
      for (const cp of await log.checkpointsSince({ size: 1 })) {
        verifyConsistency(
          cp.size,
          log.size,
          log.consistencyProof(cp.size),
          cp.rootHash,
          log.checkpoint().rootHash,
        );
      }
    });

    it('answers the same entry twice with its first index, in one batch or later', async () => {
      const s = await freshServices(backend);
      opened.push(s);
      const log = s.tlog?.log;
      assert.ok(log);
      const [a, b] = await Promise.all([log.append(entry('x')), log.append(entry('x'))]);
      assert.equal(a?.index, b?.index);
      assert.equal(a?.duplicate !== b?.duplicate, true);
      const c = await log.append(entry('x'));
      assert.equal(c.index, a?.index);
      assert.equal(c.duplicate, true);
      assert.equal(c.integratedTime, a?.integratedTime);
      assert.equal(log.size, 1);
    });

    it('rebuilds the same tree after a restart, and serves tiles and entry bundles', async () => {
      const s = await freshServices(backend);
      opened.push(s);
      const log = s.tlog?.log;
      assert.ok(log);
      const n = 600;
      for (let i = 0; i < n; i += 100)
        await Promise.all(Array.from({ length: 100 }, (_, j) => log.append(entry(i + j))));
      const root = log.checkpoint().rootHash;
      const origin = log.origin;
      const reopened = await openServices({
        dataDir: s.dataDir,
        databaseUrl: s.databaseUrl,
      });
      try {
        const again = reopened.tlog?.log;
        assert.ok(again);
        assert.equal(again.origin, origin);
        assert.equal(again.size, n);
        assert.deepEqual(Buffer.from(again.checkpoint().rootHash), Buffer.from(root));
        const expected = new MerkleTree();
        for (let i = 0; i < n; i++)
          expected.append(leafHash((await again.entryAt(i))?.body ?? new Uint8Array()));
        assert.deepEqual(Buffer.from(expected.root()), Buffer.from(root));
        assert.equal(again.hashTile(0, 0, 256)?.length, 256 * 32);
        assert.equal(again.hashTile(0, 2, 88)?.length, 88 * 32);
        assert.equal(again.hashTile(0, 2, 89), undefined);
        assert.equal(again.hashTile(0, 3, 1), undefined);
        assert.equal(again.hashTile(1, 0, 2)?.length, 64);
        const bundle = await again.entryBundle(2, 88);
        assert.ok(bundle);
        const bodies = decodeEntryBundle(bundle);
        assert.equal(bodies.length, 88);
        assert.deepEqual(Buffer.from(bodies[0] as Uint8Array), Buffer.from(entry(512).body));
        assert.equal(await again.entryBundle(2, 89), undefined);
      } finally {
        await reopened.close();
      }
    });

    it('checks entries in worker threads when asked to, with the same answers and errors', async () => {
      const s = await freshServices(backend);
      opened.push(s);
      const pooled = await openServices({
        dataDir: s.dataDir,
        databaseUrl: s.databaseUrl,
        tlog: { checkWorkers: 2 },
      });
      try {
        const { generateKeyPairSync, sign } = await import('node:crypto');
        const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
        const typed = (a: string, bad = false) => ({
          kind: 'hashedrekord',
          digest: `sha256:${createHash('sha256').update(a).digest('hex')}`,
          signature: sign('sha256', Buffer.from(bad ? `${a}!` : a), privateKey).toString('base64'),
          publicKey: pem,
        });
        const face = pooled.tlog;
        assert.ok(face);
        const done = await Promise.all(
          Array.from({ length: 20 }, (_, i) => face.append(typed(`p${i}`))),
        );
        assert.equal(new Set(done.map((d) => d.appended.index)).size, 20);
        // The ECDSA twin of a logged signature, checked in a worker, is the entry logged first.
        const { ecdsaSignatureTwin } = await import('../../../src/tlog/ecdsa-prehashed.js');
        const first = typed('twin');
        const logged = await face.append(first);
        const twin = ecdsaSignatureTwin(publicKey, Buffer.from(first.signature, 'base64'));
        const again = await face.append({
          ...first,
          signature: Buffer.from(twin as Uint8Array).toString('base64'),
        });
        assert.equal(again.appended.duplicate, true);
        assert.equal(again.appended.index, logged.appended.index);
        assert.equal(again.view.body, logged.view.body);
        await assert.rejects(face.append(typed('bad', true)), {
          code: 'TLOG_ENTRY_SIGNATURE_INVALID',
        });
        await assert.rejects(face.append({ kind: 'nope' }), { code: 'TLOG_ENTRY_MALFORMED' });
        assert.equal(face.log.size, 21);
      } finally {
        await pooled.close();
      }
    });

    it('refuses to open a database that holds another origin', async () => {
      const s = await freshServices(backend);
      opened.push(s);
      await assert.rejects(
        openServices({
          dataDir: s.dataDir,
          databaseUrl: s.databaseUrl,
          tlog: { origin: 'example.com/other' },
        }),
        { code: 'TLOG_ORIGIN_MISMATCH' },
      );
    });
  });
}

describe('transparency log with two replicas on one PostgreSQL database', () => {
  it('sequences appends from both into one tree: no index twice, every acknowledgement kept', async () => {
    const a = await freshServices('postgres');
    const b = await openServices({ dataDir: a.dataDir, databaseUrl: a.databaseUrl });
    try {
      const la = a.tlog?.log;
      const lb = b.tlog?.log;
      assert.ok(la && lb);
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? la : lb).append(entry(`r${i}`))),
      );
      const indices = results.map((r) => r.index).sort((x, y) => x - y);
      assert.deepEqual(
        indices,
        Array.from({ length: 200 }, (_, i) => i),
      );
      // Both replicas serve the same tree once they have caught up.
      await la.refresh(0);
      await lb.refresh(0);
      assert.equal(la.size, 200);
      assert.equal(lb.size, 200);
      assert.deepEqual(
        Buffer.from(la.checkpoint().rootHash),
        Buffer.from(lb.checkpoint().rootHash),
      );
      for (const [i, r] of results.entries()) {
        const root = la.checkpoint().rootHash;
        verifyInclusion(
          r.index,
          200,
          entry(`r${i}`).leafHash,
          lb.inclusionProof(r.index, 200),
          root,
        );
      }
      // An entry appended on one replica is a duplicate on the other.
      const again = await lb.append(entry('r0'));
      assert.equal(again.duplicate, true);
      assert.equal(again.index, results[0]?.index);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
