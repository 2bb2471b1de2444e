import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/conformance.js';

/**
 * When SoftHSM2 is missing, its test groups must not pass unnoticed: the test runner's summary
 * counts and names them, and in CI (`CI=true`) the run fails. SoftHSM2 is made "missing" with a
 * PATH that holds no softhsm2-util (the runner starts node by its absolute path).
 */

// Without the runner's own context variable, which would make the inner runner refuse to run.
function outerEnv(): Record<string, string | undefined> {
  const { NODE_TEST_CONTEXT: _inner, ...env } = process.env;
  return env;
}

function runTests(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'scripts/run-tests.mjs'), 'test/pkcs11/cli.test.ts'],
    { cwd: REPO_ROOT, env: { ...outerEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr.on('data', (b: Buffer) => {
    out += b.toString();
  });
  return new Promise((done) => child.on('close', (code) => done({ code, out })));
}

describe('a missing SoftHSM2 is reported, and fails CI', () => {
  let emptyPath: string;
  before(() => {
    emptyPath = mkdtempSync(join(tmpdir(), 'custody-no-softhsm-'));
  });
  after(() => rmSync(emptyPath, { recursive: true, force: true }));

  it('outside CI the skipped test file is counted and named in the summary (exit 0)', async () => {
    const r = await runTests({ PATH: emptyPath, CI: '' });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^ℹ skipped test files \(missing tools\) 1$/m);
    assert.match(r.out, /softhsm2 is not installed.*: test\/pkcs11\/cli\.test\.ts$/m);
  });

  it('with CI=true the run fails, saying SoftHSM2 is required', async () => {
    const r = await runTests({ PATH: emptyPath, CI: 'true' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /SoftHSM2 is required in CI/);
  });

  it('with SoftHSM2 installed nothing is skipped', { skip: !hasSoftHsm() }, async () => {
    const r = await runTests({ CI: 'true' });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^ℹ skipped test files \(missing tools\) 0$/m);
  });
});

// The third case runs SoftHSM2's tests for real, so only where it is installed.
function hasSoftHsm(): boolean {
  return spawnSync('softhsm2-util', ['--version']).status === 0;
}
