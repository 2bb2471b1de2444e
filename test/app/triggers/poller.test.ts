import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../../contract/job-queue.js';
import { call } from '../../helpers/server.js';
import { startTriggerServer, type TriggerServer } from './harness.js';

describe('the events directory poller (sqlite)', { timeout: 60_000 }, () => {
  let srv: TriggerServer;
  let dir: string;
  let viewer: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-events-'));
    srv = await startTriggerServer('sqlite', { eventsDir: dir });
    viewer = await srv.token('viewer', ['a']);
  });
  after(async () => {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes event files, moves them to done/ or failed/, and acts once on a repeat', async () => {
    const release = JSON.stringify({
      kind: 'release',
      product: 'shop',
      team: 'a',
      version: '4.0.0',
    });
    writeFileSync(join(dir, '001-release.json'), release);
    writeFileSync(join(dir, '002-broken.json'), '{ not json');
    writeFileSync(join(dir, '003-unknown.json'), JSON.stringify({ kind: 'weather', product: 'x' }));
    writeFileSync(join(dir, '004-repeat.json'), release);
    writeFileSync(join(dir, 'notes.txt'), 'not an event');
    await eventually(
      () =>
        existsSync(join(dir, 'done')) &&
        readdirSync(join(dir, 'done')).length === 2 &&
        existsSync(join(dir, 'failed')) &&
        readdirSync(join(dir, 'failed')).filter((n) => !n.endsWith('.error.json')).length === 2,
    );
    assert.deepEqual(readdirSync(join(dir, 'done')).sort(), [
      '001-release.json',
      '004-repeat.json',
    ]);
    const note = JSON.parse(
      readFileSync(join(dir, 'failed', '003-unknown.json.error.json'), 'utf8'),
    );
    assert.equal(note.error.code, 'EVENT_INVALID');
    assert.deepEqual(readdirSync(dir).sort(), ['done', 'failed', 'notes.txt']);
    const list = await call(srv, 'GET', '/api/v1/events?source=poller', { token: viewer });
    assert.equal(list.json.items.length, 1, 'the repeat acted once');
    assert.equal(list.json.items[0].kind, 'release');
    assert.equal(list.json.items[0].receivedBy, 'poller');
  });

  it('keeps a second file of the same name beside the first in done/', async () => {
    writeFileSync(
      join(dir, '001-release.json'),
      JSON.stringify({ kind: 'docs', product: 'shop', team: 'a' }),
    );
    await eventually(() => readdirSync(join(dir, 'done')).length === 3);
    assert.ok(readdirSync(join(dir, 'done')).includes('001-release.1.json'));
  });
});
