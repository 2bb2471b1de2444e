import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command, CommanderError } from 'commander';
import { parseArchive } from '../../../src/app/tlog-follow/archive.js';
import { registerLog } from '../../../src/cli/commands/log.js';
import { registerWitness } from '../../../src/cli/commands/witness.js';
import { CliExit } from '../../../src/cli/exit.js';
import type { CliIO } from '../../../src/cli/io.js';
import { CustodyError } from '../../../src/core/errors.js';
import { StaticLog, TileServer } from './static-log.js';

const ORIGIN = 'example.test/tlog';

// The commands as main.ts will register them, with main's exit-code mapping.
async function cli(
  cwd: string,
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: {},
    cwd,
  };
  const program = new Command('custody').exitOverride().configureOutput({
    writeOut: (s) => (out += s),
    writeErr: (s) => (err += s),
  });
  registerLog(program, io);
  registerWitness(program, io);
  const override = (c: Command): void => {
    c.exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
    for (const s of c.commands) override(s);
  };
  override(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return { code: 0, out, err };
  } catch (e) {
    if (e instanceof CliExit) return { code: e.code, out, err };
    if (e instanceof CommanderError) return { code: 2, out, err: err + e.message };
    if (e instanceof CustodyError) return { code: 2, out, err: `${err}${e.code}: ${e.message}` };
    throw e;
  }
}

describe('custody log / witness commands', () => {
  let dir: string;
  let log: StaticLog;
  let server: TileServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-log-cli-'));
    log = new StaticLog(ORIGIN).grow(300);
    log.publish();
    server = await new TileServer(log.files).start();
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('log mirror, then checkpoints export from the mirror, then verify-inclusion offline', async () => {
    const m1 = await cli(
      dir,
      'log',
      'mirror',
      '--from',
      server.base,
      '--vkey',
      log.vkey,
      '--dir',
      'm',
      '--json',
    );
    assert.equal(m1.code, 0, m1.err);
    assert.equal(JSON.parse(m1.out).size, 300);
    log.grow(50).publish();
    writeFileSync(join(dir, 'log.vkey'), `${log.vkey}\n`);
    const m2 = await cli(
      dir,
      'log',
      'mirror',
      '--from',
      server.base,
      '--vkey',
      'log.vkey',
      '--dir',
      'm',
    );
    assert.equal(m2.code, 0, m2.err);
    assert.match(m2.out, /300 → 350/);

    const ex = await cli(
      dir,
      'log',
      'checkpoints',
      'export',
      '--from',
      'm',
      '--vkey',
      log.vkey,
      '--since',
      '301',
      '-o',
      'archive.jsonl',
    );
    assert.equal(ex.code, 0, ex.err);
    const archive = parseArchive(readFileSync(join(dir, 'archive.jsonl'), 'utf8'));
    assert.deepEqual(
      archive.checkpoints.map((c) => c.checkpoint.size),
      [350],
    );

    const entry = log.entries[123] as Uint8Array;
    writeFileSync(join(dir, 'entry.bin'), entry);
    const proof = {
      logIndex: 123,
      treeSize: 350,
      hashes: log.tree.inclusionProof(123, 350).map((h) => Buffer.from(h).toString('hex')),
    };
    writeFileSync(join(dir, 'proof.json'), JSON.stringify(proof));
    const ok = await cli(
      dir,
      'log',
      'verify-inclusion',
      '--archive',
      'archive.jsonl',
      '--entry',
      'entry.bin',
      '--proof',
      'proof.json',
      '--json',
    );
    assert.equal(ok.code, 0, ok.err);
    assert.equal(JSON.parse(ok.out).index, 123);

    writeFileSync(join(dir, 'other.bin'), 'not the entry');
    const no = await cli(
      dir,
      'log',
      'verify-inclusion',
      '--archive',
      'archive.jsonl',
      '--entry',
      'other.bin',
      '--proof',
      'proof.json',
    );
    assert.equal(no.code, 1);
    assert.match(no.err, /TLOG_PROOF_INVALID/);

    writeFileSync(join(dir, 'proof300.json'), JSON.stringify({ ...proof, treeSize: 300 }));
    const notArchived = await cli(
      dir,
      'log',
      'verify-inclusion',
      '--archive',
      'archive.jsonl',
      '--entry',
      'entry.bin',
      '--proof',
      'proof300.json',
    );
    assert.equal(notArchived.code, 1);
    assert.match(notArchived.err, /TLOG_CHECKPOINT_NOT_ARCHIVED/);

    writeFileSync(join(dir, 'junk.json'), '{"hello": 1}');
    const junk = await cli(
      dir,
      'log',
      'verify-inclusion',
      '--archive',
      'archive.jsonl',
      '--entry',
      'entry.bin',
      '--proof',
      'junk.json',
    );
    assert.equal(junk.code, 2);
  });

  it('checkpoints export from a live log holds its current checkpoint', async () => {
    const r = await cli(
      dir,
      'log',
      'checkpoints',
      'export',
      '--from',
      server.base,
      '--vkey',
      log.vkey,
    );
    assert.equal(r.code, 0, r.err);
    const archive = parseArchive(r.out, log.vkey);
    assert.equal(archive.checkpoints.length, 1);
    assert.equal(archive.header.origin, ORIGIN);
    assert.throws(() => parseArchive(r.out, new StaticLog(ORIGIN).vkey), CustodyError);
  });

  it('log monitor remembers its state and fails loudly, with both checkpoints, on a split view', async () => {
    const base = [
      'log',
      'monitor',
      '--from',
      server.base,
      '--vkey',
      log.vkey,
      '--state',
      'mon.json',
    ];
    const first = await cli(dir, ...base, '--json');
    assert.equal(first.code, 0, first.err);
    assert.equal(JSON.parse(first.out).kind, 'first');
    log.grow(10).publish();
    const grown = await cli(dir, ...base);
    assert.equal(grown.code, 0, grown.err);
    assert.match(grown.out, /grew/);
    const honest = log.notes[log.notes.length - 1] as string;
    const fork = log.fork(100).grow(400, 'evil');
    const forged = fork.publish();
    server.source = new Map([...log.files, ...fork.files]);
    try {
      const split = await cli(dir, ...base);
      assert.equal(split.code, 1);
      assert.match(split.err, /ALERT/);
      assert.ok(split.err.includes(honest) && split.err.includes(forged), 'both notes on stderr');
      const event = JSON.parse(split.out.trim().split('\n').pop() as string);
      assert.equal(event.event, 'tlog.split_view');
      assert.equal(event.old.note, honest);
      assert.equal(event.new.note, forged);
    } finally {
      server.source = log.files;
    }
  });

  it('witness key generate writes a 0600 key once and prints the vkey', async () => {
    const r = await cli(
      dir,
      'witness',
      'key',
      'generate',
      '--name',
      'witness.test/w9',
      '-o',
      'w.pem',
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^witness\.test\/w9\+[0-9a-f]{8}\+/);
    assert.equal(statSync(join(dir, 'w.pem')).mode & 0o777, 0o600);
    const again = await cli(
      dir,
      'witness',
      'key',
      'generate',
      '--name',
      'witness.test/w9',
      '-o',
      'w.pem',
    );
    assert.equal(again.code, 2);
  });

  it('usage errors exit 2', async () => {
    assert.equal((await cli(dir, 'log', 'mirror', '--from', server.base)).code, 2);
    assert.equal(
      (await cli(dir, 'log', 'monitor', '--from', server.base, '--vkey', 'nope+x')).code,
      2,
    );
    const badConfig = join(dir, 'bad-config.json');
    writeFileSync(badConfig, '{"name": ""}');
    writeFileSync(join(dir, 'k.pem'), 'x');
    assert.equal(
      (await cli(dir, 'witness', 'serve', '--config', badConfig, '--key', 'k.pem')).code,
      2,
    );
  });
});
