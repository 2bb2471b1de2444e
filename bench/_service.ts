/**
 * A fresh `custody serve` for a benchmark (SQLite in a temporary data directory, or PostgreSQL in
 * a database of its own), an admin token for it, the portfolio of bench/_gen-portfolio.ts loaded
 * into it over HTTP, and the housekeeping around it (hit counts, ANALYZE, sizes). Shared by the
 * inventory and vulnerability-portfolio benches.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadedPortfolio } from './_gen-portfolio.js';

export type BenchDb = 'sqlite' | 'postgres';

export interface Out {
  say: (s: string) => void;
  progress: (s: string) => void;
}

/** say() on stderr; progress() overwrites one line, on a terminal only. */
export function stderrOut(): Out {
  const tty = process.stderr.isTTY;
  return {
    progress: tty ? (s) => process.stderr.write(`\r\x1b[2K${s}`) : () => {},
    say: (s) => {
      if (tty) process.stderr.write('\r\x1b[2K');
      process.stderr.write(`${s}\n`);
    },
  };
}

export function buildDist(root: string, out: Out): void {
  out.say('building dist/ (tsc -p tsconfig.build.json)…');
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { cwd: root, encoding: 'utf8' },
  );
  if (r.status !== 0) {
    throw new Error(`the build failed (npm run build):\n${(r.stdout + r.stderr).slice(0, 2000)}`);
  }
}

export interface ServiceOptions {
  root: string;
  /** The CLI to start (bin/custody.js, or another build). */
  cli: string;
  /** Server URL without a database (`postgres://postgres@127.0.0.1:5432`). */
  pgUrl: string;
  /** The PostgreSQL database the service gets (dropped and created again). */
  pgDb: string;
  /** What the temporary data directory is called after. */
  name: string;
  /** Node options for the service process (`--cpu-prof`, …). */
  nodeArgs?: string[];
  /** Use this data directory (created when missing) instead of a new temporary one. */
  dataDir?: string;
  /** PostgreSQL: keep the database `pgDb` as it is (created when missing) instead of recreating it. */
  reuseDatabase?: boolean;
  out: Out;
}

export interface RunningService {
  db: BenchDb;
  base: string;
  token: string;
  dataDir: string;
  /** PostgreSQL: the service's database URL. */
  databaseUrl?: string;
  process: ChildProcess;
}

/** A fresh service on `db`, answering /healthz, with an organisation-wide admin token. */
export async function startService(db: BenchDb, o: ServiceOptions): Promise<RunningService> {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), `custody-bench-${o.name}-${db}-`));
  mkdirSync(dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['CUSTODY_DATABASE_URL'];
  let databaseUrl: string | undefined;
  if (db === 'postgres') {
    if (o.reuseDatabase) await ensurePgDatabase(o.pgUrl, o.pgDb);
    else await recreatePgDatabase(o.pgUrl, o.pgDb);
    databaseUrl = `${o.pgUrl}/${o.pgDb}`;
    env['CUSTODY_DATABASE_URL'] = databaseUrl;
  }
  const token = createToken(o, dataDir, env);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = createWriteStream(join(dataDir, 'server.log'));
  const child = spawn(
    process.execPath,
    [...(o.nodeArgs ?? []), o.cli, 'serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`],
    { cwd: o.root, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  // Whatever happens to this process, do not leave a server behind.
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.removeListener('exit', kill));
  const service: RunningService = {
    db,
    base,
    token,
    dataDir,
    process: child,
    ...(databaseUrl ? { databaseUrl } : {}),
  };
  try {
    await waitHealthy(service);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  o.out.say(`${db}: service up on ${base} (data dir ${dataDir})`);
  return service;
}

/** Stop the service (SIGTERM, then SIGKILL after 10 s); unless `keep`, remove its data. */
export async function stopService(
  s: RunningService,
  o: { keep: boolean; pgUrl: string; pgDb: string; out: Out },
): Promise<void> {
  const p = s.process;
  if (p.exitCode === null && p.signalCode === null) {
    p.kill('SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await once(p, 'exit');
    clearTimeout(timer);
  }
  if (o.keep) {
    o.out.say(`${s.db}: kept ${s.dataDir}${s.db === 'postgres' ? ` and database ${o.pgDb}` : ''}`);
    return;
  }
  rmSync(s.dataDir, { recursive: true, force: true });
  if (s.db === 'postgres') await dropPgDatabase(o.pgUrl, o.pgDb).catch(() => {});
}

/** The last lines of the service's log (for a failure report). */
export function serverLogTail(s: { dataDir: string }, n = 20): string | undefined {
  const log = join(s.dataDir, 'server.log');
  return existsSync(log) ? tail(readFileSync(log, 'utf8'), n) : undefined;
}

function createToken(o: ServiceOptions, dataDir: string, env: NodeJS.ProcessEnv): string {
  const r = spawnSync(
    process.execPath,
    [
      o.cli,
      'token',
      'create',
      '--role',
      'admin',
      '--person',
      'bench@custody.example',
      '--data-dir',
      dataDir,
    ],
    { cwd: o.root, env, encoding: 'utf8' },
  );
  const last = r.stdout.trim().split('\n').pop()?.trim() ?? '';
  if (r.status !== 0 || last === '') {
    throw new Error(
      `custody token create failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().slice(0, 500)}`,
    );
  }
  return last;
}

async function waitHealthy(s: RunningService): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (s.process.exitCode !== null || s.process.signalCode !== null) {
      throw new Error(
        `custody serve exited (${s.process.exitCode ?? s.process.signalCode}):\n${serverLogTail(s) ?? ''}`,
      );
    }
    try {
      const r = await fetch(`${s.base}/healthz`);
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`custody serve did not answer GET /healthz with 200 within 60 s`);
}

// ---------------------------------------------------------------------------------------------
// Loading the portfolio
// ---------------------------------------------------------------------------------------------

export interface IngestFigures {
  sboms: number;
  rows: number;
  seconds: number;
  sbomsPerS: number;
  /** Rate over the last 10 % of uploads: does ingest slow down as the index grows? */
  lastTenthSbomsPerS: number;
  rowsPerS: number;
  p50Ms: number;
  p95Ms: number;
  failures: number;
  firstFailure?: string;
}

/** POST every SBOM of the portfolio with `concurrency` uploads in flight. */
export async function ingestPortfolio(
  s: RunningService,
  portfolio: LoadedPortfolio,
  o: { concurrency: number; out: Out },
): Promise<IngestFigures> {
  const items = portfolio.releases;
  const latencies: number[] = [];
  const finishedAt: number[] = [];
  let next = 0;
  let done = 0;
  let rows = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  const t0 = performance.now();
  const ticker = setInterval(() => {
    const secs = (performance.now() - t0) / 1000;
    o.out.progress(
      `${s.db}: ingested ${done}/${items.length} (${(done / secs).toFixed(0)} SBOMs/s)`,
    );
  }, 250);
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as LoadedPortfolio['releases'][number];
      const body = await readFile(join(portfolio.dir, item.file));
      const q = new URLSearchParams({
        product: item.product,
        release: item.release,
        artifact: item.artifact,
      });
      const t = performance.now();
      let status = 0;
      let text = '';
      try {
        const res = await fetch(`${s.base}/api/v1/sboms?${q}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${s.token}`,
            'content-type': 'application/vnd.cyclonedx+json',
          },
          body,
        });
        status = res.status;
        text = await res.text();
      } catch (e) {
        text = String(e);
      }
      latencies.push(performance.now() - t);
      finishedAt.push(performance.now());
      done++;
      if (status === 201 || status === 200) {
        const parsed = JSON.parse(text) as { sbom?: { componentCount?: number } };
        rows += parsed.sbom?.componentCount ?? 0;
      } else {
        failures++;
        firstFailure ??= `POST /api/v1/sboms?${q} -> ${status} ${text.slice(0, 300)}`;
        // A service that rejects everything: stop early with the evidence.
        if (failures >= 20 && failures === done) next = items.length;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  clearInterval(ticker);
  const seconds = (performance.now() - t0) / 1000;
  const ok = done - failures;
  const tenth = Math.max(1, Math.floor(finishedAt.length / 10));
  const from = finishedAt[finishedAt.length - tenth - 1] ?? t0;
  const to = finishedAt[finishedAt.length - 1] ?? t0;
  return {
    sboms: ok,
    rows,
    seconds,
    sbomsPerS: ok / seconds,
    lastTenthSbomsPerS: (tenth / (to - from)) * 1000,
    rowsPerS: rows / seconds,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    failures,
    ...(firstFailure ? { firstFailure } : {}),
  };
}

export interface HitCheck {
  query: string;
  expected: number;
  found: number | string;
}

/** Page through each check's query and compare the hits with the generator's count. */
export async function checkHits(
  s: RunningService,
  checks: LoadedPortfolio['checks'],
): Promise<HitCheck[]> {
  const out: HitCheck[] = [];
  for (const c of checks) {
    let found: number | string = 0;
    let cursor: string | null = null;
    for (let page = 0; page < 200; page++) {
      const url: string = `${s.base}${c.path}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await fetch(url, { headers: { authorization: `Bearer ${s.token}` } });
      const text = await res.text();
      if (res.status !== 200) {
        found = `${res.status} ${text.slice(0, 200)}`;
        break;
      }
      const body = JSON.parse(text) as { items: unknown[]; nextCursor: string | null };
      found = (found as number) + body.items.length;
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    out.push({ query: c.label, expected: c.expected, found });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL housekeeping, sizes, ports
// ---------------------------------------------------------------------------------------------

/** Run `fn` with a client on `url` (a server URL plus database). */
export async function withPgClient<T>(
  url: string,
  fn: (q: (sql: string, params?: unknown[]) => Promise<{ rows: unknown[] }>) => Promise<T>,
): Promise<T> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn((sql, params) => client.query(sql, params));
  } finally {
    await client.end();
  }
}

async function recreatePgDatabase(pgUrl: string, name: string): Promise<void> {
  await withPgClient(`${pgUrl}/postgres`, async (q) => {
    await q(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await q(`CREATE DATABASE ${name}`);
  });
}

async function ensurePgDatabase(pgUrl: string, name: string): Promise<void> {
  await withPgClient(`${pgUrl}/postgres`, async (q) => {
    const r = await q('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (r.rows.length === 0) await q(`CREATE DATABASE ${name}`);
  });
}

/**
 * How many SBOMs a service's store holds (SQLite read beside the running service, WAL allows it),
 * to tell whether a kept store already holds a whole portfolio. 0 for a store not yet created.
 */
export async function storedSboms(s: RunningService): Promise<number> {
  if (s.databaseUrl !== undefined) {
    return withPgClient(s.databaseUrl, async (q) => {
      const r = await q('SELECT count(*)::int AS n FROM sboms');
      return (r.rows[0] as { n: number }).n;
    });
  }
  const { default: Sqlite } = await import('better-sqlite3');
  const file = join(s.dataDir, 'custody.db');
  if (!existsSync(file)) return 0;
  const d = new Sqlite(file, { readonly: true });
  try {
    return (d.prepare('SELECT count(*) AS n FROM sboms').get() as { n: number }).n;
  } finally {
    d.close();
  }
}

async function dropPgDatabase(pgUrl: string, name: string): Promise<void> {
  await withPgClient(`${pgUrl}/postgres`, async (q) => {
    await q(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
}

/**
 * A server with autovacuum off never gathers statistics on its own, and the planner then takes the
 * freshly loaded tables for empty (a range query on 200 releases ran 27 ms instead of 3 ms). Do
 * once what autovacuum would have done, and say so in the report.
 */
export async function analyzeIfNoAutovacuum(databaseUrl: string, out: Out): Promise<boolean> {
  return withPgClient(databaseUrl, async (q) => {
    const r = await q('SHOW autovacuum');
    if ((r.rows[0] as { autovacuum: string }).autovacuum === 'on') return false;
    out.say(
      'postgres: autovacuum is off on this server: running ANALYZE once, as autovacuum would',
    );
    await q('ANALYZE');
    return true;
  });
}

export async function databaseSize(
  s: RunningService,
  o: { pgUrl: string; pgDb: string },
): Promise<number | undefined> {
  if (s.db === 'postgres') {
    return withPgClient(`${o.pgUrl}/postgres`, async (q) => {
      const r = await q(`SELECT pg_database_size('${o.pgDb}') AS n`);
      return Number((r.rows[0] as { n: string }).n);
    });
  }
  // The SQLite file and its WAL, wherever the service keeps them in the data directory.
  let total = 0;
  const visit = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (/\.(?:db|sqlite3?)(?:-wal|-shm)?$/.test(e.name)) total += statSync(p).size;
    }
  };
  visit(s.dataDir);
  return total || undefined;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  await once(srv, 'close');
  return port;
}

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
}

export function tail(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join('\n');
}
