import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { anchorAuditHead } from '../../src/app/audit/anchor.js';
import { registerLog } from '../../src/cli/commands/log.js';
import { CliExit } from '../../src/cli/exit.js';
import { StaticLog, TileServer } from '../app/tlog-follow/static-log.js';
import { REPO_ROOT } from '../helpers/conformance.js';
import { call, startServer, type TestServer, tokenFor } from '../helpers/server.js';

const MAIN = `const { main } = await import(${JSON.stringify(join(REPO_ROOT, 'src/cli/main.ts'))}); process.exitCode = await main(process.argv.slice(1));`;

function custody(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', MAIN, ...args],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, CUSTODY_DATABASE_URL: '', CUSTODY_URL: '', CUSTODY_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => {
    stdout += b.toString();
  });
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  return new Promise((done) => child.on('exit', (code) => done({ code, stdout, stderr })));
}

/** `custody log …` in this process (the child-process run above covers the real binary). */
async function logCli(cwd: string, ...argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const io = {
    stdout: { write: () => true },
    stderr: { write: (s: string) => (err += s) },
    env: {},
    cwd,
  };
  const program = new Command('custody').exitOverride();
  registerLog(program, io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return { code: 0, err };
  } catch (e) {
    if (e instanceof CliExit) return { code: e.code, err };
    throw e;
  }
}

describe('log mirrors and monitors report to the service (sqlite)', () => {
  let srv: TestServer;
  let auditor: string;
  let viewer: string;
  let dir: string;
  before(async () => {
    srv = await startServer('sqlite');
    auditor = await tokenFor(srv.services, 'auditor');
    viewer = await tokenFor(srv.services, 'viewer');
    await anchorAuditHead(srv.services); // an entry in the log, so the mirror has tiles to copy
    dir = mkdtempSync(join(tmpdir(), 'custody-mirror-'));
  });
  after(async () => {
    await srv?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('custody log mirror --report-to posts the size it verified, listed for readers', async () => {
    const log = srv.services.tlog?.log;
    assert.ok(log && log.size > 0);
    const r = await custody([
      'log',
      'mirror',
      '--from',
      `${srv.base}/tlog/`,
      '--vkey',
      log.vkey,
      '--dir',
      dir,
      '--report-to',
      srv.base,
      '--token',
      auditor,
      '--report-name',
      'mirror-1',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /warning/);
    const mirrored = JSON.parse(r.stdout.trim().split('\n').pop() as string);
    const a = await call(srv, 'GET', '/api/v1/tlog/reporters', { token: viewer });
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.items.length, 1);
    const m = a.json.items[0];
    assert.equal(m.name, 'mirror-1');
    assert.equal(m.kind, 'mirror');
    assert.equal(m.origin, log.origin);
    assert.equal(m.size, log.size);
    assert.equal(m.rootHash, mirrored.rootHash);
    assert.equal(m.ownLog, true);
    assert.equal(m.behind, 0);
    assert.deepEqual(m.inconsistencies, []);
  });

  it('keeps every inconsistency a reporter reported, and audits it', async () => {
    const body = {
      name: 'monitor-eu',
      kind: 'monitor',
      origin: 'other.example/log',
      size: 10,
      rootHash: Buffer.alloc(32, 1).toString('base64'),
      verifiedAt: new Date().toISOString(),
    };
    const bad = { code: 'TLOG_SPLIT_VIEW', message: 'two roots for size 12' };
    for (const b of [body, { ...body, inconsistency: bad }, { ...body, size: 11 }]) {
      const a = await call(srv, 'POST', '/api/v1/tlog/reports', { token: auditor, body: b });
      assert.equal(a.status, 201, a.text);
    }
    const list = await call(srv, 'GET', '/api/v1/tlog/reporters', { token: viewer });
    const m = list.json.items.find((x: { name: string }) => x.name === 'monitor-eu');
    assert.equal(m.size, 11, 'the latest report replaces the one before');
    assert.equal(m.ownLog, false);
    assert.equal(m.behind, null);
    assert.deepEqual(
      m.inconsistencies.map((x: { code: string; size: number }) => [x.code, x.size]),
      [['TLOG_SPLIT_VIEW', 10]],
    );
    const trail = await call(srv, 'GET', '/api/v1/audit?action=tlog.reporter.inconsistency', {
      token: auditor,
    });
    assert.equal(trail.json.items.length, 1);
  });

  it('a monitor reports each round, and a split view before it exits 1', async () => {
    const log = new StaticLog('split.example/log').grow(50);
    log.publish();
    const tiles = await new TileServer(log.files).start();
    try {
      const args = [
        'log',
        'monitor',
        '--from',
        tiles.base,
        '--vkey',
        log.vkey,
        '--state',
        'm.json',
      ];
      const report = ['--report-to', srv.base, '--token', auditor, '--report-name', 'mon-1'];
      assert.equal((await logCli(dir, ...args, ...report)).code, 0);
      const fork = log.fork(20).grow(60, 'evil');
      fork.publish();
      tiles.source = new Map([...log.files, ...fork.files]);
      const split = await logCli(dir, ...args, ...report);
      assert.equal(split.code, 1, split.err);
      assert.doesNotMatch(split.err, /warning/);
    } finally {
      await tiles.close();
    }
    const list = await call(srv, 'GET', '/api/v1/tlog/reporters', { token: viewer });
    const m = list.json.items.find((x: { name: string }) => x.name === 'mon-1');
    assert.equal(m.kind, 'monitor');
    assert.equal(m.size, 50, 'the last size it verified, not the forged one');
    assert.deepEqual(
      m.inconsistencies.map((x: { code: string; size: number }) => [x.code, x.size]),
      [['TLOG_SPLIT_VIEW', 50]],
    );
  });

  it('refuses a report from the future, and a viewer', async () => {
    const body = {
      name: 'x',
      kind: 'mirror',
      origin: 'o',
      size: 1,
      rootHash: Buffer.alloc(32).toString('base64'),
      verifiedAt: '2999-01-01T00:00:00Z',
    };
    const a = await call(srv, 'POST', '/api/v1/tlog/reports', { token: auditor, body });
    assert.equal(a.status, 400);
    assert.equal(a.json.error.code, 'TLOG_REPORT_INVALID');
    const v = await call(srv, 'POST', '/api/v1/tlog/reports', { token: viewer, body });
    assert.equal(v.status, 403);
  });
});
