import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../../src/cli/main.js';
import { call, startServer, type TestServer } from '../helpers/server.js';

/**
 * `custody sign --log-later` while the log is down (a closed port), then `custody log upload`
 * against a real `custody serve`: the bundle is completed with a verified entry, `custody verify
 * --require-tlog` accepts it, and an upload with the log still down changes nothing.
 */

async function closedPort(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

describe('custody sign --log-later and custody log upload', () => {
  let dir: string;
  let srv: TestServer;
  let other: TestServer;
  let down: string;
  const env = { CUSTODY_KEY_PASSPHRASE: 'a long passphrase' };
  const cli = async (...argv: string[]) => {
    let out = '';
    let err = '';
    const io = {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env: { ...env, HOME: dir },
      cwd: dir,
    };
    const code = await run(argv, io as never);
    return { code, out, err };
  };
  const spool = () => readdirSync(join(dir, 'spool')).filter((n) => n.endsWith('.json'));
  const rootOf = async (s: TestServer, file: string) => {
    const tlog = (await call(s, 'GET', '/api/v1/tlog')).json.trustedRootTlog;
    writeFileSync(
      join(dir, file),
      JSON.stringify({
        mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
        tlogs: [tlog],
        certificateAuthorities: [],
        ctlogs: [],
        timestampAuthorities: [],
      }),
    );
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-log-later-'));
    srv = await startServer('sqlite', { tlog: { ratePerClient: 0 } });
    other = await startServer('sqlite', { tlog: { ratePerClient: 0 } });
    down = await closedPort();
    writeFileSync(join(dir, 'artifact.tgz'), 'the release artifact\n');
    const k = await cli('keys', 'generate');
    assert.equal(k.code, 0, k.err);
    await rootOf(srv, 'root.json');
    await rootOf(other, 'other-root.json');
  });
  after(async () => {
    await srv.close();
    await other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('without --log-later a log outage stays an error (exit 2, SIGN_SERVICE_FAILED), nothing written', async () => {
    const r = await cli(
      'sign',
      'artifact.tgz',
      '--key',
      'custody.key',
      '--url',
      down,
      '-o',
      'x.json',
    );
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /SIGN_SERVICE_FAILED: the transparency log/);
    assert.equal(existsSync(join(dir, 'x.json')), false);
  });

  it('--log-later needs -o (usage), and a log that is up logs at once (nothing spooled)', async () => {
    const u = await cli(
      'sign',
      'artifact.tgz',
      '--key',
      'custody.key',
      '--url',
      down,
      '--log-later',
    );
    assert.equal(u.code, 2);
    assert.match(u.err, /USAGE: --log-later needs -o/);
    const up = await cli(
      'sign',
      'artifact.tgz',
      '--key',
      'custody.key',
      '--url',
      srv.base,
      '--log-later',
      '--spool',
      'spool-up',
      '-o',
      'up.json',
    );
    assert.equal(up.code, 0, up.err);
    assert.match(up.err, /logged at index \d+/);
    assert.doesNotMatch(up.err, /NOT logged/);
    assert.equal(existsSync(join(dir, 'spool-up')), false);
  });

  it('log down: signed, bundle without entry, spooled; upload while still down changes nothing (exit 1)', async () => {
    const r = await cli(
      'sign',
      'artifact.tgz',
      '--key',
      'custody.key',
      '--url',
      down,
      '--log-later',
      '--spool',
      'spool',
      '-o',
      'later.json',
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /NOT logged yet/);
    assert.match(r.err, /custody log upload --spool spool/);
    const bundle = JSON.parse(readFileSync(join(dir, 'later.json'), 'utf8'));
    assert.equal((bundle.verificationMaterial.tlogEntries ?? []).length, 0);
    assert.deepEqual(spool().length, 1);
    const entry = JSON.parse(readFileSync(join(dir, 'spool', spool()[0] as string), 'utf8'));
    assert.equal(entry.pending, 'log');
    assert.equal(entry.target.bundlePath, join(dir, 'later.json'));
    assert.match(entry.publicKey, /BEGIN PUBLIC KEY/);

    // Unlogged, it does not pass a verifier that requires a log entry.
    const v = await cli(
      'verify',
      'artifact.tgz',
      '--bundle',
      'later.json',
      '--key',
      'custody.pub',
      '--trusted-root',
      'root.json',
      '--require-tlog',
    );
    assert.equal(v.code, 1, v.err);

    const before = readFileSync(join(dir, 'spool', spool()[0] as string));
    const still = await cli('log', 'upload', '--spool', 'spool', '--json');
    assert.equal(still.code, 1, still.err);
    assert.match(still.err, /NOT uploaded .*SIGN_SERVICE_FAILED.*still unavailable/);
    assert.equal(spool().length, 1);
    assert.deepEqual(readFileSync(join(dir, 'spool', spool()[0] as string)), before);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'later.json'), 'utf8')), bundle);
  });

  it('an entry that does not verify against the given log key is not used (exit 1, spool kept)', async () => {
    const r = await cli(
      'log',
      'upload',
      '--spool',
      'spool',
      '--url',
      srv.base,
      '--trusted-root',
      'other-root.json',
    );
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /LOG_LATER_ENTRY_UNVERIFIED/);
    assert.equal(spool().length, 1);
    assert.equal(
      (
        JSON.parse(readFileSync(join(dir, 'later.json'), 'utf8')).verificationMaterial
          .tlogEntries ?? []
      ).length,
      0,
    );
  });

  it('log back: upload completes the bundle, custody verify --require-tlog accepts it; a repeat reuses the entry', async () => {
    const name = spool()[0] as string;
    copyFileSync(join(dir, 'spool', name), join(dir, 'spooled-copy.json'));
    const r = await cli('log', 'upload', '--spool', 'spool', '--url', srv.base, '--json');
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /uploaded [0-9a-f]{12}: logged at index \d+/);
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.at(-1).uploaded, 1);
    assert.equal(spool().length, 0);
    const bundle = JSON.parse(readFileSync(join(dir, 'later.json'), 'utf8'));
    assert.equal(bundle.verificationMaterial.tlogEntries.length, 1);
    const index = bundle.verificationMaterial.tlogEntries[0].logIndex;
    const v = await cli(
      'verify',
      'artifact.tgz',
      '--bundle',
      'later.json',
      '--key',
      'custody.pub',
      '--trusted-root',
      'root.json',
      '--require-tlog',
    );
    assert.equal(v.code, 0, v.err);

    // An upload interrupted after the log took the entry runs again: the log's entry is reused.
    const size = (await call(srv, 'GET', '/api/v1/log')).json.treeSize;
    copyFileSync(join(dir, 'spooled-copy.json'), join(dir, 'spool', name));
    const again = await cli('log', 'upload', '--spool', 'spool', '--url', srv.base);
    assert.equal(again.code, 0, again.err);
    assert.equal((await call(srv, 'GET', '/api/v1/log')).json.treeSize, size);
    const b2 = JSON.parse(readFileSync(join(dir, 'later.json'), 'utf8'));
    assert.equal(b2.verificationMaterial.tlogEntries.length, 1);
    assert.equal(b2.verificationMaterial.tlogEntries[0].logIndex, index);

    const none = await cli('log', 'upload', '--spool', 'spool');
    assert.equal(none.code, 0);
    assert.match(none.out, /0 uploaded, 0 not uploaded/);
  });

  it('a damaged spool file is reported (LOG_LATER_SPOOL_INVALID, exit 1) and left where it is', async () => {
    writeFileSync(join(dir, 'spool', 'junk.json'), '{"version":1,"id":"nope"}');
    const r = await cli('log', 'upload', '--spool', 'spool', '--url', srv.base);
    assert.equal(r.code, 1);
    assert.match(r.err, /LOG_LATER_SPOOL_INVALID/);
    assert.ok(existsSync(join(dir, 'spool', 'junk.json')));
    rmSync(join(dir, 'spool', 'junk.json'));
  });
});
