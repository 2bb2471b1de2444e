import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../../helpers/conformance.js';
import { StaticLog, TileServer } from './static-log.js';

// --import resolves from the working directory, which is a temporary one here.
const TSX = import.meta.resolve('tsx');
const MAIN = `const { main } = await import(${JSON.stringify(join(REPO_ROOT, 'src/cli/main.ts'))}); process.exitCode = await main(process.argv.slice(1));`;

/** `custody <argv>` as a child process, as a user runs it (from the sources: dist/ may be older). */
function custody(cwd: string, argv: string[]) {
  const child = spawn(
    process.execPath,
    ['--import', TSX, '--input-type=module', '-e', MAIN, ...argv],
    { cwd, env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    err += b.toString();
  });
  const exit = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, exit, out: () => out, err: () => err };
}

/** Resolves once `ready()` holds, or rejects when the child exits first or time runs out. */
async function until(
  child: ChildProcess,
  ready: () => boolean,
  what: string,
  ms = 30_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!ready()) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before ${what}`);
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const rounds = (s: string) => s.split('\n').filter((l) => l.startsWith('{')).length;

describe('custody log mirror|monitor --follow keeps running until SIGINT/SIGTERM', () => {
  let dir: string;
  let log: StaticLog;
  let server: TileServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-follow-'));
    log = new StaticLog('example.test/follow').grow(20);
    log.publish();
    server = await new TileServer(log.files).start();
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [command, extra, signal] of [
    ['mirror', ['--dir', 'm'], 'SIGTERM'],
    ['monitor', ['--state', 'mon.json'], 'SIGINT'],
  ] as const) {
    it(`log ${command} --follow: still running after 3 rounds, exit 0 on ${signal}`, async () => {
      const p = custody(dir, [
        'log',
        command,
        '--from',
        server.base,
        '--vkey',
        log.vkey,
        ...extra,
        '--follow',
        '--interval',
        '0.2',
        '--json',
      ]);
      try {
        await until(p.child, () => rounds(p.out()) >= 3, `3 rounds (${p.err()})`);
        assert.equal(p.child.exitCode, null, 'still following');
        p.child.kill(signal);
        assert.equal(await p.exit, 0, p.err());
      } finally {
        if (p.child.exitCode === null) p.child.kill('SIGKILL');
      }
    });
  }
});
