import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSeen } from '../../../src/app/tlog-follow/follow.js';
import {
  checkLog,
  type MonitorOptions,
  readMonitorState,
  writeMonitorState,
} from '../../../src/app/tlog-follow/monitor.js';
import { TlogClient } from '../../../src/net/tlog-client.js';
import { TlogError } from '../../../src/tlog/errors.js';
import { parseVerifierKey } from '../../../src/tlog/note.js';
import { expectCustodyErrorAsync } from '../../helpers/expect-error.js';
import { StaticLog, TileServer } from './static-log.js';

const ORIGIN = 'example.test/tlog';

function optionsFor(log: StaticLog, server: TileServer): MonitorOptions {
  return {
    fetcher: new TlogClient({ url: server.base, retries: 0 }),
    origin: ORIGIN,
    verifiers: [parseVerifierKey(log.vkey)],
  };
}

describe('checkLog', () => {
  it('follows a growing log, fetching only the tiles one proof needs', async () => {
    const log = new StaticLog(ORIGIN).grow(1000);
    log.publish();
    const server = await new TileServer(log.files).start();
    try {
      const o = optionsFor(log, server);
      const first = await checkLog(o, undefined);
      assert.equal(first.kind, 'first');
      log.grow(70_000).publish();
      server.requests.length = 0;
      const grown = await checkLog(o, first.latest);
      assert.equal(grown.kind, 'grown');
      assert.equal(grown.previousSize, 1000);
      assert.equal(grown.size, 71_000);
      assert.ok(server.requests.length < 12, `fetched ${server.requests.length} resources`);
      assert.ok(!server.requests.some((p) => p.includes('entries')), 'no entry bundles');
      const same = await checkLog(o, grown.latest);
      assert.equal(same.kind, 'unchanged');
    } finally {
      await server.close();
    }
  });

  it('an older checkpoint that is a prefix is stale and not remembered', async () => {
    const log = new StaticLog(ORIGIN).grow(10);
    const old = log.publish();
    log.grow(600).publish();
    const server = await new TileServer(log.files).start();
    try {
      const o = optionsFor(log, server);
      const latest = (await checkLog(o, undefined)).latest;
      log.files.set('checkpoint', new TextEncoder().encode(old));
      const r = await checkLog(o, latest);
      assert.equal(r.kind, 'stale');
      assert.equal(r.latest, latest);
    } finally {
      await server.close();
    }
  });

  describe('when the log shows a split view', () => {
    for (const [what, forkAt, grow] of [
      ['a larger fork', 250, 500],
      ['a smaller fork', 100, 150],
      ['a fork of the same size', 290, 10],
      ['a fork from the first leaf', 0, 400],
    ] as const) {
      it(`${what} fails with both signed checkpoints`, async () => {
        const log = new StaticLog(ORIGIN).grow(300);
        const honest = log.publish();
        const server = await new TileServer(log.files).start();
        try {
          const o = optionsFor(log, server);
          const latest = (await checkLog(o, undefined)).latest;
          const fork = log.fork(forkAt).grow(grow, 'evil');
          const forged = fork.publish();
          // A log showing two views keeps serving both trees' tiles, under its fork's checkpoint.
          server.source = new Map([...log.files, ...fork.files]);
          const e = await expectCustodyErrorAsync(
            () => checkLog(o, latest),
            TlogError,
            'TLOG_CHECKPOINT_INCONSISTENT',
          );
          const d = e.details as { old: { note: string }; new: { note: string } };
          assert.equal(d.old.note, honest);
          assert.equal(d.new.note, forged);
        } finally {
          await server.close();
        }
      });
    }

    it('a smaller checkpoint without the tiles of the larger tree is a rollback, with both notes', async () => {
      const log = new StaticLog(ORIGIN).grow(300);
      const honest = log.publish();
      const server = await new TileServer(log.files).start();
      try {
        const o = optionsFor(log, server);
        const latest = (await checkLog(o, undefined)).latest;
        const fork = log.fork(100).grow(50, 'evil');
        const forged = fork.publish();
        server.source = fork.files;
        const r = await checkLog(o, latest);
        assert.equal(r.kind, 'rollback');
        assert.equal(r.latest, latest, 'the larger checkpoint stays remembered');
        assert.equal(r.evidence?.old.note, honest);
        assert.equal(r.evidence?.new.note, forged);
      } finally {
        await server.close();
      }
    });

    it('tiles that do not hash to the log’s own root are TLOG_TILE_INVALID, not a split view', async () => {
      const log = new StaticLog(ORIGIN).grow(300);
      log.publish();
      const server = await new TileServer(log.files).start();
      try {
        const o = optionsFor(log, server);
        const latest = (await checkLog(o, undefined)).latest;
        log.grow(20).publish();
        const tile = log.files.get('tile/0/001.p/64') as Uint8Array;
        const bad = tile.slice();
        bad[0] = (bad[0] as number) ^ 1;
        log.files.set('tile/0/001.p/64', bad);
        await expectCustodyErrorAsync(() => checkLog(o, latest), TlogError, 'TLOG_TILE_INVALID');
      } finally {
        await server.close();
      }
    });
  });
});

describe('monitor state', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'custody-monitor-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips and is verified again when read', () => {
    const log = new StaticLog(ORIGIN).grow(3);
    const note = log.publish();
    const id = { origin: ORIGIN, verifiers: [parseVerifierKey(log.vkey)] };
    const path = join(dir, 'state.json');
    assert.equal(readMonitorState(path, id), undefined);
    writeMonitorState(path, openSeen(note, id), new Date(0));
    assert.equal(readMonitorState(path, id)?.note, note);
    const stranger = { origin: ORIGIN, verifiers: [parseVerifierKey(new StaticLog(ORIGIN).vkey)] };
    assert.throws(() => readMonitorState(path, stranger), TlogError);
  });
});
