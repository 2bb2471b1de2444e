import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../../src/cli/main.js';
import { call, startServer, type TestServer } from '../helpers/server.js';

/**
 * Dual-log preference: the "public" log is a second real Custody server (its Rekor-compatible
 * API) on loopback, down at signing time (a closed port); the private Custody log stands in, and
 * `custody log upload --public` later writes the public entry beside the bundle.
 */

async function closedPort(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

describe('custody sign --public-log, custody log upload --public', () => {
  let dir: string;
  let priv: TestServer;
  let pub: TestServer;
  let down: string;
  const cli = async (...argv: string[]) => {
    let out = '';
    let err = '';
    const io = {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env: { CUSTODY_KEY_PASSPHRASE: 'a long passphrase', HOME: dir },
      cwd: dir,
    };
    return { code: await run(argv, io as never), out, err };
  };
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
  const verify = (bundle: string, root: string) =>
    cli(
      'verify',
      'artifact.tgz',
      '--bundle',
      bundle,
      '--key',
      'custody.pub',
      '--trusted-root',
      root,
      '--require-tlog',
    );

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-dual-log-'));
    priv = await startServer('sqlite', { tlog: { ratePerClient: 0 } });
    pub = await startServer('sqlite', { tlog: { ratePerClient: 0 } });
    down = await closedPort();
    writeFileSync(join(dir, 'artifact.tgz'), 'the release artifact\n');
    assert.equal((await cli('keys', 'generate')).code, 0);
    await rootOf(priv, 'private-root.json');
    await rootOf(pub, 'public-root.json');
  });
  after(async () => {
    await priv.close();
    await pub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('public log up: logged there, nothing pending', async () => {
    const r = await cli(
      'sign',
      'artifact.tgz',
      '--key',
      'custody.key',
      '--url',
      priv.base,
      '--public-log',
      pub.base,
      '--spool',
      'spool-up',
      '-o',
      'up.json',
    );
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.err, /stood in/);
    assert.equal(existsSync(join(dir, 'spool-up')), false);
    assert.equal((await verify('up.json', 'public-root.json')).code, 0);
  });

  it('public log down: the private log stands in, the public entry is pending; upload --public writes it beside the bundle', async () => {
    const r = await cli(
      'sign',
      'artifact.tgz',
      '--key',
      'custody.key',
      '--url',
      priv.base,
      '--public-log',
      down,
      '--spool',
      'spool',
      '-o',
      'dual.sigstore.json',
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /the private Custody log stood in/);
    assert.match(r.err, /custody log upload --public --spool spool/);
    assert.equal((await verify('dual.sigstore.json', 'private-root.json')).code, 0);
    assert.equal((await verify('dual.sigstore.json', 'public-root.json')).code, 1);
    const original = readFileSync(join(dir, 'dual.sigstore.json'), 'utf8');
    assert.equal(readdirSync(join(dir, 'spool')).length, 1);

    // The plain upload leaves public-pending entries alone.
    const plain = await cli('log', 'upload', '--spool', 'spool', '--url', pub.base);
    assert.equal(plain.code, 0, plain.err);
    assert.match(plain.out, /0 uploaded/);

    const still = await cli('log', 'upload', '--public', '--spool', 'spool');
    assert.equal(still.code, 1, still.err);
    assert.equal(readdirSync(join(dir, 'spool')).length, 1);

    const u = await cli('log', 'upload', '--public', '--spool', 'spool', '--url', pub.base);
    assert.equal(u.code, 0, u.err);
    assert.equal(readdirSync(join(dir, 'spool')).length, 0);
    assert.equal(readFileSync(join(dir, 'dual.sigstore.json'), 'utf8'), original, 'untouched');
    assert.equal((await verify('dual.public.sigstore.json', 'public-root.json')).code, 0);
    const side = JSON.parse(readFileSync(join(dir, 'dual.public.sigstore.json'), 'utf8'));
    assert.equal(side.verificationMaterial.tlogEntries.length, 1);
  });
});
