import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { COMMAND_TABLE, entriesFor } from '../../src/cli/command-table.js';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { REPO_ROOT } from '../helpers/conformance.js';

async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    cwd: REPO_ROOT,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

const io: CliIO = {
  stdout: { write: () => true },
  stderr: { write: () => true },
  env: {},
  cwd: REPO_ROOT,
};

describe('the command table (a run loads only the modules of its command)', () => {
  it("names exactly the top-level commands and aliases each entry's module registers", async () => {
    for (const entry of COMMAND_TABLE) {
      const program = new Command('custody');
      (await entry.load())(program, io);
      const registered = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
      assert.deepEqual([...registered].sort(), [...entry.names].sort(), `entry ${entry.names}`);
    }
  });

  it('a bare --version loads nothing; a command its own modules, in table order; else all', () => {
    assert.deepEqual(entriesFor(['--version']), []);
    assert.deepEqual(entriesFor(['-V']), []);
    assert.equal(entriesFor(['sbom', 'generate', '.']).length, 1);
    const admission = entriesFor(['admission', 'report']);
    assert.equal(admission.length, 2);
    assert.deepEqual(
      admission,
      COMMAND_TABLE.filter((e) => e.names.includes('admission')),
    );
    assert.deepEqual(entriesFor(['runbook']), entriesFor(['evidence']));
    for (const argv of [[], ['--help'], ['-h'], ['help', 'sbom'], ['sbm'], ['-V', 'sbom']]) {
      assert.equal(entriesFor(argv), COMMAND_TABLE, JSON.stringify(argv));
    }
  });

  it('custody --version prints the version and exits 0', async () => {
    assert.deepEqual(await cli(['--version']), { code: 0, stdout: '0.1.0\n', stderr: '' });
    assert.deepEqual(await cli(['-V']), { code: 0, stdout: '0.1.0\n', stderr: '' });
  });

  it("each command's help is what the whole program prints for it (`custody help <command>`)", async () => {
    for (const name of new Set(COMMAND_TABLE.flatMap((e) => e.names))) {
      const own = await cli([name, '--help']);
      const whole = await cli(['help', name]);
      assert.equal(own.code, 0, name);
      assert.equal(own.stdout, whole.stdout, name);
    }
    const verify = await cli(['verify', 'provenance', '--help']);
    assert.equal(verify.code, 0);
    assert.match(verify.stdout, /Usage: custody verify-provenance/);
  });

  it('custody --help lists every command; an unknown command is a usage error with a suggestion', async () => {
    const help = await cli(['--help']);
    assert.equal(help.code, 0);
    for (const name of ['sbom', 'serve', 'admission', 'vuln', 'kpi', 'git', 'verify']) {
      assert.match(help.stdout, new RegExp(`\\n  ${name}\\b`), name);
    }
    const typo = await cli(['sbm']);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /unknown command 'sbm'[\s\S]*sbom/);
  });
});
