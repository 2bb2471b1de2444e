import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type MirrorOptions, mirrorOnce } from '../../../src/app/tlog-follow/mirror.js';
import { TlogClient } from '../../../src/net/tlog-client.js';
import { TlogError } from '../../../src/tlog/errors.js';
import { parseVerifierKey } from '../../../src/tlog/note.js';
import { entryTilesBetween, newTiles, tilePath } from '../../../src/tlog/tiles.js';
import { expectCustodyErrorAsync } from '../../helpers/expect-error.js';
import { readTree, StaticLog, TileServer } from './static-log.js';

const ORIGIN = 'example.test/tlog';

function optionsFor(log: StaticLog, server: TileServer, dir: string): MirrorOptions {
  return {
    fetcher: new TlogClient({ url: server.base, retries: 0 }),
    dir,
    origin: ORIGIN,
    verifiers: [parseVerifierKey(log.vkey)],
    now: () => new Date('2030-01-02T03:04:05Z'),
  };
}

// Every file of the mirror is the source's file byte for byte, and the mirror holds every file a
// log of its size serves.
function assertMirrorOf(dir: string, log: StaticLog, size: number): void {
  const mirror = readTree(dir);
  const history = mirror.get('checkpoints.jsonl');
  assert.ok(history, 'the mirror keeps a history');
  mirror.delete('checkpoints.jsonl');
  for (const [path, body] of mirror) {
    assert.deepEqual(body, log.files.get(path), `${path} differs from the source`);
  }
  const needed = [...newTiles(0, size), ...entryTilesBetween(0, size)].map(tilePath);
  for (const path of ['checkpoint', ...needed]) assert.ok(mirror.has(path), `${path} is missing`);
}

describe('mirrorOnce', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'custody-mirror-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('copies a growing log through every tile level and checks each step', async () => {
    const log = new StaticLog(ORIGIN);
    log.publish();
    const server = await new TileServer(log.files).start();
    try {
      const o = optionsFor(log, server, join(dir, 'grow'));
      const first = await mirrorOnce(o);
      assert.equal(first.kind, 'grown');
      assert.equal(first.size, 0);
      let previous = 0;
      for (const n of [5, 295, 213, 65_087, 300]) {
        log.grow(n).publish();
        const r = await mirrorOnce(o);
        assert.equal(r.kind, 'grown');
        assert.equal(r.previousSize, previous);
        assert.equal(r.size, log.tree.size);
        previous = r.size;
        assertMirrorOf(o.dir, log, r.size);
      }
      assert.ok(previous > 65_536, 'reached a level-2 tile');
      const again = await mirrorOnce(o);
      assert.equal(again.kind, 'unchanged');
      const history = readFileSync(join(o.dir, 'checkpoints.jsonl'), 'utf8').trim().split('\n');
      assert.equal(history.length, 6);
      assert.deepEqual(
        history.map((l) => JSON.parse(l).note),
        log.notes,
        'the history holds every checkpoint, verbatim',
      );
    } finally {
      await server.close();
    }
  });

  it('fetches only what is new', async () => {
    const log = new StaticLog(ORIGIN).grow(600);
    log.publish();
    const server = await new TileServer(log.files).start();
    try {
      const o = optionsFor(log, server, join(dir, 'incremental'));
      await mirrorOnce(o);
      server.requests.length = 0;
      log.grow(10).publish();
      const r = await mirrorOnce(o);
      // Level 1 still has 2 hashes at 610: its tile comes from the mirror's own copy.
      assert.equal(r.tiles + r.bundles, 2);
      assert.deepEqual(server.requests.sort(), [
        '/tlog/checkpoint',
        '/tlog/tile/0/002.p/98',
        '/tlog/tile/entries/002.p/98',
      ]);
    } finally {
      await server.close();
    }
  });

  it('a mirror can be served and mirrored in turn', async () => {
    const log = new StaticLog(ORIGIN).grow(700);
    log.publish();
    const source = await new TileServer(log.files).start();
    const first = join(dir, 'hop1');
    const mirrorServer = await new TileServer(first).start();
    try {
      await mirrorOnce(optionsFor(log, source, first));
      const second = join(dir, 'hop2');
      const r = await mirrorOnce(optionsFor(log, mirrorServer, second));
      assert.equal(r.size, 700);
      assertMirrorOf(second, log, 700);
    } finally {
      await source.close();
      await mirrorServer.close();
    }
  });

  describe('when the log misbehaves', () => {
    it('a fork of the mirrored history is a split view, with both checkpoints as evidence', async () => {
      const log = new StaticLog(ORIGIN).grow(300);
      const honest = log.publish();
      const server = await new TileServer(log.files).start();
      try {
        const o = optionsFor(log, server, join(dir, 'fork'));
        await mirrorOnce(o);
        const before = readTree(o.dir);
        const fork = log.fork(200).grow(150, 'evil');
        const forged = fork.publish();
        server.source = fork.files;
        const e = await expectCustodyErrorAsync(
          () => mirrorOnce(o),
          TlogError,
          'TLOG_CHECKPOINT_INCONSISTENT',
        );
        const d = e.details as { old: { note: string }; new: { note: string } };
        assert.equal(d.old.note, honest);
        assert.equal(d.new.note, forged);
        assert.deepEqual(readTree(o.dir), before, 'nothing of the fork is stored');
      } finally {
        await server.close();
      }
    });

    it('same size with another root is a split view', async () => {
      const log = new StaticLog(ORIGIN).grow(20);
      log.publish();
      const server = await new TileServer(log.files).start();
      try {
        const o = optionsFor(log, server, join(dir, 'same-size'));
        await mirrorOnce(o);
        server.source = log.fork(10).grow(10, 'evil').files;
        (server.source as Map<string, Uint8Array>).set(
          'checkpoint',
          new TextEncoder().encode(log.fork(10).grow(10, 'evil').publish()),
        );
        await expectCustodyErrorAsync(
          () => mirrorOnce(o),
          TlogError,
          'TLOG_CHECKPOINT_INCONSISTENT',
        );
      } finally {
        await server.close();
      }
    });

    it('an older checkpoint that is a prefix is stale, not an error', async () => {
      const log = new StaticLog(ORIGIN).grow(40);
      const old = log.publish();
      log.grow(300).publish();
      const server = await new TileServer(log.files).start();
      try {
        const o = optionsFor(log, server, join(dir, 'stale'));
        await mirrorOnce(o);
        log.files.set('checkpoint', new TextEncoder().encode(old));
        const r = await mirrorOnce(o);
        assert.equal(r.kind, 'stale');
        assert.equal(r.previousSize, 340);
        assert.equal(readFileSync(join(o.dir, 'checkpoint'), 'utf8'), log.notes[1]);
      } finally {
        await server.close();
      }
    });

    for (const [what, path] of [
      ['a hash tile', 'tile/0/001.p/44'],
      ['an entry bundle', 'tile/entries/001.p/44'],
      ['a level-1 tile', 'tile/1/000.p/1'],
    ] as const) {
      it(`a tampered ${what} is refused and nothing is stored`, async () => {
        const log = new StaticLog(ORIGIN).grow(300);
        log.publish();
        const body = log.files.get(path) as Uint8Array;
        const bad = body.slice();
        bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
        log.files.set(path, bad);
        const server = await new TileServer(log.files).start();
        try {
          const o = optionsFor(log, server, join(dir, `tampered-${path.replaceAll('/', '_')}`));
          await expectCustodyErrorAsync(() => mirrorOnce(o), TlogError, 'TLOG_TILE_INVALID');
          assert.throws(() => readFileSync(join(o.dir, 'checkpoint')));
        } finally {
          await server.close();
        }
      });
    }

    it('a checkpoint signed by another key is refused', async () => {
      const log = new StaticLog(ORIGIN).grow(3);
      log.publish();
      const server = await new TileServer(log.files).start();
      try {
        const o = optionsFor(new StaticLog(ORIGIN), server, join(dir, 'wrong-key'));
        await expectCustodyErrorAsync(() => mirrorOnce(o), TlogError, 'TLOG_NOTE_UNVERIFIED');
      } finally {
        await server.close();
      }
    });

    it('a checkpoint of another origin is refused', async () => {
      const other = new StaticLog('other.test/log').grow(3);
      other.publish();
      const server = await new TileServer(other.files).start();
      try {
        const o = { ...optionsFor(other, server, join(dir, 'wrong-origin')) };
        await expectCustodyErrorAsync(
          () => mirrorOnce(o),
          TlogError,
          'TLOG_CHECKPOINT_ORIGIN_MISMATCH',
        );
      } finally {
        await server.close();
      }
    });
  });
});
