import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../../src/cli/main.js';
import { REPO_ROOT } from '../helpers/conformance.js';
import { call, sbomFixtures, startServer, type TestServer, tokenFor } from '../helpers/server.js';

const MAIN = `const { main } = await import(${JSON.stringify(join(REPO_ROOT, 'src/cli/main.ts'))}); process.exitCode = await main(['git', 'gpg', '--', ...process.argv.slice(1)]);`;
const TSX = import.meta.resolve('tsx');
const SUBJECT = 'dev@example.com';

function git(cwd: string, env: Record<string, string>, ...args: string[]) {
  return spawnSync('git', args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
}

/** git, without blocking the event loop: the signing program calls the in-process server. */
function gitAsync(cwd: string, env: Record<string, string>, ...args: string[]) {
  return new Promise<{ status: number | null; stderr: string }>((done) => {
    const child = spawn('git', args, { cwd, env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => done({ status, stderr }));
  });
}

/**
 * `custody slsa assess --verify-commit`: the release commit checked in a checkout with the commit
 * verification of `custody git verify` (keyless gitsign signature, identity policy, log entry):
 * unknown without the flag, signed for a commit signed by the allowed identity, not for an
 * unsigned commit or another identity.
 */
describe('custody slsa assess --verify-commit (sqlite)', () => {
  let srv: TestServer;
  let dir: string;
  let repo: string;
  let env: Record<string, string>;
  let web: string;

  const assess = async (extra: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await run(['slsa', 'assess', 'demo@1.0.0', '--json', ...extra], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: { ...env, CUSTODY_TOKEN: web },
      cwd: repo,
    });
    assert.equal(code, 0, stderr);
    return JSON.parse(stdout).releaseCommit;
  };
  const release = async (commit: string) => {
    const r = await call(srv, 'GET', '/api/v1/products/demo/releases/1.0.0', { token: web });
    const p = await call(srv, 'PATCH', `/api/v1/releases/${r.json.id}`, {
      token: web,
      body: { commit },
    });
    assert.equal(p.status, 200, p.text);
  };

  before(async () => {
    srv = await startServer('sqlite', { keyless: true });
    dir = mkdtempSync(join(tmpdir(), 'custody-slsa-commit-'));
    const admin = await tokenFor(srv.services, 'admin', undefined, 'ada');
    assert.equal(
      (await call(srv, 'POST', '/api/v1/teams', { token: admin, body: { name: 'web' } })).status,
      201,
    );
    web = await tokenFor(srv.services, 'publisher', ['web'], 'wes');
    const pushed = await call(srv, 'POST', '/api/v1/sboms?product=demo&release=1.0.0', {
      token: web,
      body: (await sbomFixtures()).demo,
      contentType: 'application/json',
    });
    assert.equal(pushed.status, 201, pushed.text);
    const trustedRoot = join(dir, 'trusted_root.json');
    writeFileSync(trustedRoot, (await call(srv, 'GET', '/api/v1/trusted-root')).text);
    const program = join(dir, 'custody-gitsign');
    writeFileSync(
      program,
      `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} --import ${JSON.stringify(TSX)} --input-type=module -e ${JSON.stringify(MAIN)} -- "$@"\n`,
    );
    chmodSync(program, 0o755);
    repo = join(dir, 'repo');
    env = {
      CUSTODY_URL: srv.base,
      CUSTODY_DEV_OIDC_SUBJECT: SUBJECT,
      CUSTODY_TRUSTED_ROOT: trustedRoot,
      CUSTODY_GIT_IDENTITY: SUBJECT,
      CUSTODY_GIT_ISSUER: `${srv.base.replace(/:\d+$/, ':0')}/dev-oidc`,
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: dir,
    };
    assert.equal(git(dir, env, 'init', '-q', repo).status, 0);
    for (const [k, v] of [
      ['user.name', 'Dev'],
      ['user.email', SUBJECT],
      ['gpg.format', 'x509'],
      ['gpg.x509.program', program],
    ])
      assert.equal(git(repo, env, 'config', k as string, v as string).status, 0);
    writeFileSync(join(repo, 'README'), 'hello\n');
    assert.equal(git(repo, env, 'add', 'README').status, 0);
  });

  after(async () => {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an unsigned release commit is not signed; without the flag it is unknown', async () => {
    assert.equal(git(repo, env, 'commit', '-q', '-m', 'unsigned').status, 0);
    const sha = git(repo, env, 'rev-parse', 'HEAD').stdout.trim();
    await release(sha);
    assert.equal((await assess([])).signed, 'unknown');
    const c = await assess(['--verify-commit']);
    assert.deepEqual(c, { commit: sha, signed: false, reason: 'the commit is not signed' });
  });

  it('a commit signed by the allowed identity is signed; another identity is not', async () => {
    const c = await gitAsync(repo, env, 'commit', '-q', '--allow-empty', '-S', '-m', 'signed');
    assert.equal(c.status, 0, c.stderr);
    const sha = git(repo, env, 'rev-parse', 'HEAD').stdout.trim();
    await release(sha);
    const ok = await assess(['--verify-commit', repo]);
    assert.equal(ok.signed, true, ok.reason);
    assert.equal(ok.identity, SUBJECT);
    const other = await assess([
      '--verify-commit',
      '--certificate-identity',
      'mallory@example.com',
    ]);
    assert.equal(other.signed, false);
    assert.match(other.reason, /^SIGN_IDENTITY_MISMATCH/);
  });

  it("policy eval --verify-commit: the built-in pack's signed-commit gate reads the check", async () => {
    const r = await call(srv, 'GET', '/api/v1/products/demo/releases/1.0.0', { token: web });
    const digest = (r.json.artifacts as { digest: string }[])[0]?.digest as string;
    const outcome = async (extra: string[]) => {
      let stdout = '';
      let stderr = '';
      await run(
        ['policy', 'eval', '--policy', 'builtin', '--artifact', digest, '--json', ...extra],
        {
          stdout: { write: (s: string) => (stdout += s) },
          stderr: { write: (s: string) => (stderr += s) },
          env: { ...env, CUSTODY_TOKEN: web },
          cwd: repo,
        },
      );
      const d = JSON.parse(stdout) as { results: { name: string; outcome: string }[] };
      return d.results.find((x) => x.name === 'release-commit-signed')?.outcome;
    };
    // The service alone holds no verdict on the commit; the check in the checkout does.
    assert.equal(await outcome([]), 'fail');
    assert.equal(await outcome(['--verify-commit']), 'pass');
    assert.equal(
      await outcome(['--verify-commit', '--certificate-identity', 'mallory@example.com']),
      'fail',
    );
  });
});
