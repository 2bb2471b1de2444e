import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postAddCheckpoint, TlogClient } from '../../../src/net/tlog-client.js';
import { TlogError } from '../../../src/tlog/errors.js';
import { expectCustodyErrorAsync } from '../../helpers/expect-error.js';
import { StaticLog, TileServer } from './static-log.js';

// Lives with the tlog-follow tests because it shares their static log server.
describe('TlogClient', () => {
  let log: StaticLog;
  let server: TileServer;
  const sleeps: number[] = [];
  const client = (o: Partial<ConstructorParameters<typeof TlogClient>[0]> = {}) =>
    new TlogClient({
      url: server.base,
      retries: 2,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...o,
    });

  before(async () => {
    log = new StaticLog('example.test/tlog').grow(600);
    log.publish();
    server = await new TileServer(log.files).start();
  });
  after(() => server.close());

  it('reads the checkpoint, tiles and bundles as served', async () => {
    const c = client();
    assert.deepEqual(await c.readCheckpoint(), log.files.get('checkpoint'));
    assert.deepEqual(await c.readTile(0, 1, 256), log.files.get('tile/0/001'));
    assert.deepEqual(await c.readTile(1, 0, 2), log.files.get('tile/1/000.p/2'));
    assert.deepEqual(await c.readEntryBundle(2, 88), log.files.get('tile/entries/002.p/88'));
  });

  it('retries 5xx, 429 and dropped connections with growing backoff, honouring Retry-After', async () => {
    sleeps.length = 0;
    server.faults.set('checkpoint', [
      { status: 503 },
      { status: 429, headers: { 'retry-after': '2' } },
    ]);
    assert.deepEqual(await client().readCheckpoint(), log.files.get('checkpoint'));
    assert.equal(sleeps.length, 2);
    assert.equal(sleeps[1], 2000);
    server.faults.set('tile/0/000', ['reset']);
    assert.deepEqual(await client().readTile(0, 0, 256), log.files.get('tile/0/000'));
  });

  it('gives up after the last retry with TLOG_FETCH_FAILED and the status', async () => {
    server.faults.set('checkpoint', [{ status: 500 }, { status: 502 }, { status: 503 }]);
    const e = await expectCustodyErrorAsync(
      () => client().readCheckpoint(),
      TlogError,
      'TLOG_FETCH_FAILED',
    );
    assert.equal(e.details?.['status'], 503);
    assert.equal(e.details?.['attempts'], 3);
  });

  it('does not retry a 404', async () => {
    server.requests.length = 0;
    const e = await expectCustodyErrorAsync(
      () => client().readTile(3, 0, 256),
      TlogError,
      'TLOG_FETCH_FAILED',
    );
    assert.equal(e.details?.['status'], 404);
    assert.equal(server.requests.length, 1);
  });

  it('falls back to the full tile when a partial one is gone', async () => {
    // Partial 0/001.p/10 was never published, but the full tile 0/001 exists: cut it.
    const tile = await client().readTile(0, 1, 10);
    assert.deepEqual(tile, (log.files.get('tile/0/001') as Uint8Array).subarray(0, 320));
    const bundle = await client().readEntryBundle(0, 3);
    assert.equal(new TextDecoder().decode(bundle.subarray(2, 14)), 'entry-main-0');
  });

  it('refuses bodies over the limit', async () => {
    await expectCustodyErrorAsync(
      () => client({ maxCheckpointBytes: 10 }).readCheckpoint(),
      TlogError,
      'TLOG_FETCH_TOO_LARGE',
    );
  });

  it('times out a server that never answers', async () => {
    server.faults.set('checkpoint', ['hang']);
    const e = await expectCustodyErrorAsync(
      () => client({ timeoutMs: 200, retries: 0 }).readCheckpoint(),
      TlogError,
      'TLOG_FETCH_FAILED',
    );
    assert.match(e.message, /timed out/);
  });

  it('reports an unreachable host and a bad URL', async () => {
    await expectCustodyErrorAsync(
      () => new TlogClient({ url: 'http://127.0.0.1:1/', retries: 0 }).readCheckpoint(),
      TlogError,
      'TLOG_FETCH_FAILED',
    );
    assert.throws(() => new TlogClient({ url: 'ftp://x' }), TlogError);
  });

  it('postAddCheckpoint returns any status for the caller to read', async () => {
    const r = await postAddCheckpoint(server.base, 'old 0\n\n', { retries: 0 });
    assert.equal(r.status, 404);
  });
});
