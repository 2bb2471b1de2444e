import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Command, CommanderError } from 'commander';
import { registerVerifyBundle } from '../../../src/cli/commands/verify-bundle.js';
import { CliExit } from '../../../src/cli/exit.js';
import type { CliIO } from '../../../src/cli/io.js';
import { conformancePath, listConformance } from '../../helpers/conformance.js';

/**
 * Sigstore's bundle-verify conformance cases (../shared/conformance/sigstore/bundle-verify), run
 * the way the suite's harness runs a client: `custody verify-bundle` with the case's bundle,
 * identity/issuer or key, trusted root (or none: the shipped public-good root), and the artifact
 * given once as a path and once as `sha256:<hex>`. Only the exit code counts: 0 for a case that
 * must pass, non-zero for a `_fail` case.
 */

const SUITE = conformancePath('sigstore', 'bundle-verify');
const DEFAULT_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

export async function runVerifyBundle(
  argv: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    cwd: process.cwd(),
  };
  const program = new Command('custody').exitOverride().configureOutput({
    writeOut: (s) => io.stdout.write(s),
    writeErr: (s) => io.stderr.write(s),
  });
  registerVerifyBundle(program, io);
  for (const c of program.commands)
    c.exitOverride().configureOutput({ writeErr: (s) => io.stderr.write(s) });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return { code: 0, stdout, stderr };
  } catch (e) {
    if (e instanceof CliExit) return { code: e.code, stdout, stderr };
    if (e instanceof CommanderError) return { code: 2, stdout, stderr };
    throw e;
  }
}

function caseArgs(name: string, mode: 'path' | 'digest'): string[] {
  const dir = join(SUITE, name);
  const file = (f: string) => join(dir, f);
  const read = (f: string, fallback: string) =>
    existsSync(file(f)) ? readFileSync(file(f), 'utf8').trim() : fallback;
  const artifact = existsSync(file('artifact')) ? file('artifact') : join(SUITE, 'a.txt');
  const args = ['verify-bundle', '--bundle', file('bundle.sigstore.json')];
  if (existsSync(file('key.pub'))) args.push('--key', file('key.pub'));
  else
    args.push(
      '--certificate-identity',
      read('identity', DEFAULT_IDENTITY),
      '--certificate-oidc-issuer',
      read('issuer', DEFAULT_ISSUER),
    );
  if (existsSync(file('trusted_root.json'))) args.push('--trusted-root', file('trusted_root.json'));
  args.push(
    mode === 'path'
      ? artifact
      : `sha256:${createHash('sha256').update(readFileSync(artifact)).digest('hex')}`,
  );
  return args;
}

/**
 * Cases refused for one reason in particular: the code (and words) stderr must show, so that a
 * case does not pass for a reason other than its own (its README says which).
 */
const OWN_REASON: Record<string, RegExp> = {
  // The chain carries a root the trusted root does not hold; its checkpoint is malformed too, and
  // that alone would refuse it, but the chain is what the case is about and is checked first.
  'bundle-with-root-cert_fail': /SIGN_BUNDLE_CHAIN_INVALID: .*root certificate/,
};

const CASES = listConformance('sigstore', 'bundle-verify').filter((n) =>
  existsSync(join(SUITE, n, 'bundle.sigstore.json')),
);

describe('Sigstore conformance: bundle-verify through custody verify-bundle', () => {
  it('the suite is there', () => {
    assert.ok(CASES.length >= 47, `${CASES.length} cases`);
    for (const name of Object.keys(OWN_REASON)) assert.ok(CASES.includes(name), name);
  });
  for (const mode of ['path', 'digest'] as const) {
    describe(`artifact as ${mode}`, () => {
      for (const name of CASES) {
        const mustFail = name.endsWith('_fail');
        it(`${name} ${mustFail ? 'fails' : 'verifies'}`, async () => {
          const r = await runVerifyBundle(caseArgs(name, mode));
          if (mustFail) assert.notEqual(r.code, 0, `verified: ${r.stdout}`);
          else assert.equal(r.code, 0, r.stderr);
          // A refusal always says why.
          if (r.code !== 0) assert.match(r.stderr, /SIGN_[A-Z_]+/);
          const own = OWN_REASON[name];
          if (own !== undefined) assert.match(r.stderr, own);
        });
      }
    });
  }
});
