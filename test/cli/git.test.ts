import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../../src/cli/main.js';
import { REPO_ROOT } from '../helpers/conformance.js';
import { type Served, serveProcess } from '../helpers/serve-process.js';

/**
 * Keyless commit signing with real git: `git commit -S` runs custody-gitsign (gpg.format x509),
 * which gets a certificate from `custody serve --dev-oidc`'s CA and logs the signature; then
 * `git verify-commit` and `custody git verify` check it against the service's trusted root and
 * an identity policy.
 */

const MAIN = `const { main } = await import(${JSON.stringify(join(REPO_ROOT, 'src/cli/main.ts'))}); process.exitCode = await main(['git', 'gpg', '--', ...process.argv.slice(1)]);`;
const TSX = import.meta.resolve('tsx');
const SUBJECT = 'dev@example.com';

function git(cwd: string, env: Record<string, string>, ...args: string[]) {
  return spawnSync('git', args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
}

describe('custody-gitsign with real git (keyless, dev OIDC, logged)', () => {
  let dir: string;
  let repo: string;
  let served: Served;
  let env: Record<string, string>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-git-'));
    served = await serveProcess(join(dir, 'data'), { CUSTODY_TLOG_RATE: '0' }, [], ['--dev-oidc']);
    const trustedRoot = join(dir, 'trusted_root.json');
    writeFileSync(trustedRoot, await (await fetch(`${served.url}/api/v1/trusted-root`)).text());
    const discovery = (await (
      await fetch(`${served.url}/dev-oidc/.well-known/openid-configuration`)
    ).json()) as { issuer: string };
    const program = join(dir, 'custody-gitsign');
    writeFileSync(
      program,
      `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} --import ${JSON.stringify(TSX)} --input-type=module -e ${JSON.stringify(MAIN)} -- "$@"\n`,
    );
    chmodSync(program, 0o755);
    repo = join(dir, 'repo');
    env = {
      CUSTODY_URL: served.url,
      CUSTODY_DEV_OIDC_SUBJECT: SUBJECT,
      CUSTODY_TRUSTED_ROOT: trustedRoot,
      CUSTODY_GIT_IDENTITY: SUBJECT,
      CUSTODY_GIT_ISSUER: discovery.issuer,
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
    served.child.kill('SIGTERM');
    await served.exit;
    rmSync(dir, { recursive: true, force: true });
  });

  it('git commit -S signs through Custody, and git verify-commit accepts it', () => {
    const c = git(repo, env, 'commit', '-q', '-S', '-m', 'signed keylessly');
    assert.equal(c.status, 0, c.stderr);
    const raw = git(repo, env, 'cat-file', 'commit', 'HEAD').stdout;
    assert.match(raw, /^gpgsig -----BEGIN SIGNED MESSAGE-----$/m);
    const v = git(repo, env, 'verify-commit', 'HEAD');
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stderr, /good signature from dev@example\.com/);
  });

  it('custody git verify checks the identity policy; another identity is refused', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      env: { ...env },
      cwd: repo,
    };
    const ok = await run(['git', 'verify', 'HEAD', '--json'], io as never);
    assert.equal(ok, 0, err.join(''));
    const verdict = JSON.parse(out.join(''));
    assert.equal(verdict.verified, true);
    assert.equal(verdict.identity, SUBJECT);
    assert.ok(verdict.index >= 0);
    const wrong = await run(
      ['git', 'verify', 'HEAD', '--certificate-identity', 'mallory@example.com'],
      io as never,
    );
    assert.equal(wrong, 1);
    assert.match(err.join(''), /SIGN_IDENTITY_MISMATCH/);
    const v = git(
      repo,
      { ...env, CUSTODY_GIT_IDENTITY: 'mallory@example.com' },
      'verify-commit',
      'HEAD',
    );
    assert.notEqual(v.status, 0);
  });

  it('custody git verify without a readable trusted root is an input error: exit 2, saying what to set', async () => {
    const verify = async (e: Record<string, string>) => {
      const err: string[] = [];
      const io = {
        stdout: { write: () => true },
        stderr: { write: (s: string) => err.push(s) },
        env: e,
        cwd: repo,
      };
      return { code: await run(['git', 'verify', 'HEAD'], io as never), err: err.join('') };
    };
    const { CUSTODY_TRUSTED_ROOT: _root, ...withoutRoot } = env;
    const missing = await verify(withoutRoot);
    assert.equal(missing.code, 2, missing.err);
    assert.match(missing.err, /custody: USAGE: .*CUSTODY_TRUSTED_ROOT/);
    const absent = await verify({ ...env, CUSTODY_TRUSTED_ROOT: join(dir, 'no-such-root.json') });
    assert.equal(absent.code, 2, absent.err);
    assert.match(absent.err, /custody: SIGN_INPUT_UNREADABLE: /);
    writeFileSync(join(dir, 'bad-root.json'), 'not json');
    const bad = await verify({ ...env, CUSTODY_TRUSTED_ROOT: join(dir, 'bad-root.json') });
    assert.equal(bad.code, 2, bad.err);
    assert.match(bad.err, /custody: SIGN_TRUSTED_ROOT_INVALID: /);
  });
});
