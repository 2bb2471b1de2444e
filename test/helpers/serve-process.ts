import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './conformance.js';

/** `custody serve` as a child process on an ephemeral loopback port, as a user would run it. */
export interface Served {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

const MAIN = `const { main } = await import(${JSON.stringify(join(REPO_ROOT, 'src/cli/main.ts'))}); process.exitCode = await main(process.argv.slice(1));`;

/** Start it on `dataDir` (SQLite unless `env` names a database) and wait until it listens. */
export async function serveProcess(
  dataDir: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
  serveArgs: string[] = [],
): Promise<Served> {
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      MAIN,
      'serve',
      '--data-dir',
      dataDir,
      '--listen',
      '127.0.0.1:0',
      ...serveArgs,
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, CUSTODY_DATABASE_URL: '', CUSTODY_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const exit = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 30_000);
    child.stderr?.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /Custody is listening on (http:\/\/[^\s]+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    void exit.then((code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
  return { child, url, stdout: () => out, stderr: () => err, exit };
}
