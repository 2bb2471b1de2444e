import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Sqlite from 'better-sqlite3';
import { REPO_ROOT } from '../helpers/conformance.js';
import { call, startServer, type TestServer, tokenFor } from '../helpers/server.js';

const MAIN = `const { main } = await import(${JSON.stringify(join(REPO_ROOT, 'src/cli/main.ts'))}); process.exitCode = await main(process.argv.slice(1));`;

/** `custody …` as a child process, as a user runs it. */
function custody(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', MAIN, ...args],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, CUSTODY_DATABASE_URL: '', CUSTODY_URL: '', CUSTODY_TOKEN: '', ...env },
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

describe('audit trail over HTTP and the CLI (sqlite)', () => {
  let srv: TestServer;
  let admin: string;
  let auditor: string;
  let teamAuditor: string;
  before(async () => {
    srv = await startServer('sqlite');
    admin = await tokenFor(srv.services, 'admin');
    auditor = await tokenFor(srv.services, 'auditor');
    teamAuditor = await tokenFor(srv.services, 'auditor', ['alpha']);
    await tokenFor(srv.services, 'viewer', ['beta']);
  });
  after(async () => srv?.close());

  it('anchors on demand (organisation-wide admins only) and verifies', async () => {
    const teamAdmin = await tokenFor(srv.services, 'admin', ['alpha']);
    const refused = await call(srv, 'POST', '/api/v1/audit/anchor', { token: teamAdmin });
    assert.equal(refused.status, 403);
    const a = await call(srv, 'POST', '/api/v1/audit/anchor', { token: admin });
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.anchored, true);
    const again = await call(srv, 'POST', '/api/v1/audit/anchor', { token: admin });
    assert.equal(again.json.anchored, false);
    for (const token of [auditor, teamAuditor]) {
      const v = await call(srv, 'GET', '/api/v1/audit/verify', { token });
      assert.equal(v.status, 200, v.text);
      assert.equal(v.json.ok, true, v.text);
      assert.equal(v.json.anchors.checked, 1);
    }
  });

  it('pages through the chain; a team auditor gets other teams’ rows as links only', async () => {
    const first = await call(srv, 'GET', '/api/v1/audit/chain?limit=2', { token: auditor });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(
      first.json.items.map((r: { id: number }) => r.id),
      [1, 2],
    );
    assert.equal(first.json.nextAfter, 2);
    assert.equal(first.json.items[1].prevHash, first.json.items[0].hash);
    const all = await call(srv, 'GET', '/api/v1/audit/chain?after=0&limit=5000', {
      token: teamAuditor,
    });
    assert.equal(all.json.nextAfter, null);
    assert.equal(all.json.items.length, all.json.head.lastId);
    const alpha = all.json.items.filter((r: { team?: string }) => r.team === 'alpha');
    const hidden = all.json.items.filter((r: { redacted?: true }) => r.redacted);
    assert.ok(alpha.length > 0 && hidden.length > 0);
    assert.ok(
      hidden.every((r: object) => Object.keys(r).sort().join() === 'hash,id,prevHash,redacted'),
    );
  });

  it('custody audit verify exits 0 when intact and 1 naming the row when not', async () => {
    const remote = await custody(['audit', 'verify', '--json'], {
      CUSTODY_URL: srv.base,
      CUSTODY_TOKEN: auditor,
    });
    assert.equal(remote.code, 0, remote.stderr);
    assert.equal(JSON.parse(remote.stdout).ok, true);

    const db = new Sqlite(join(srv.services.dataDir, 'custody.db'));
    db.prepare("UPDATE audit_events SET actor = 'someone-else' WHERE id = 2").run();
    db.close();
    const local = await custody(['audit', 'verify', '--data-dir', srv.services.dataDir]);
    assert.equal(local.code, 1, local.stderr);
    assert.match(local.stdout, /^row 2: AUDIT_CHAIN_HASH_MISMATCH/m);
    assert.match(local.stderr, /NOT INTACT/);
  });
});
