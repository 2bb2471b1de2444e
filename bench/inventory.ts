/**
 * npm run bench -- inventory [--releases 10000] [--components 500] [--per-product 20]
 *   [--db sqlite|postgres|both] [--concurrency 8] [--connections 50] [--duration 10 (3 below 2,000
 *   releases)] [--rate R] [--seed 1]
 *   [--pg-url postgres://postgres@127.0.0.1:5432] [--json] [--no-build] [--keep] [--cli bin/custody.js]
 *
 * The inventory at portfolio scale, SQLite and PostgreSQL side by side: a realistic portfolio
 * (default 10,000 releases × 500 components = 5,000,000 component rows from real package names,
 * bench/_gen-portfolio.ts) is loaded into a fresh `custody serve` over HTTP with a fixed number
 * of uploads in flight, then exact-purl and version-range searches are measured with autocannon
 * (50 connections on loopback, a rotating set of real purls and ranges). Hit counts of the
 * queries are checked against what the generator put in, so nobody wins by finding less.
 *
 * Queries run closed-loop by default: each connection asks again as soon as it is answered, so
 * mean latency ≈ connections / throughput (Little's law), and p95 < 20 ms with 50 connections means
 * serving some 3,000 requests/s. `--rate R` offers a fixed R requests/s instead (latency at a load).
 *
 * Queries run closed-loop, as autocannon does: each connection asks again as soon as it is
 * answered, so mean latency ≈ connections / throughput (Little's law), and p95 < 20 ms with 50
 * connections means serving some 3,000 requests/s. (autocannon's --overallRate is no open-loop
 * alternative: each connection sends its share in a burst at the start of every second.)
 *
 * `--json` prints one JSON object on stdout (use `npm run -s bench -- inventory --json`: without
 * -s, npm prints its own banner on stdout first). Progress and notes go to stderr.
 *
 * Targets (the issue): ingest ≥ 200 SBOMs/s of 500 components on SQLite; exact-purl p95 < 20 ms;
 * version-range p95 < 100 ms. The generated SBOMs are cached under bench/.data/inventory/.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  createWriteStream,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { measureQueries, type QueryStats } from './_autocannon.js';
import { type LoadedPortfolio, preparePortfolio } from './_gen-portfolio.js';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? (argv[i + 1] ?? fallback) : fallback;
};
const flag = (name: string) => argv.includes(name);

const OPTS = {
  releases: Number(arg('--releases', '10000')),
  components: Number(arg('--components', '500')),
  perProduct: Number(arg('--per-product', '20')),
  seed: Number(arg('--seed', '1')),
  db: arg('--db', 'both') as 'sqlite' | 'postgres' | 'both',
  concurrency: Number(arg('--concurrency', '8')),
  connections: Number(arg('--connections', '50')),
  // A quick run (a few hundred releases) measures for 3 s so it ends well within a minute.
  /** Offered query load in requests/s (0: closed loop, each connection asks again on an answer). */
  rate: Number(arg('--rate', '0')),
  durationS: Number(arg('--duration', Number(arg('--releases', '10000')) >= 2000 ? '10' : '3')),
  pgUrl: arg('--pg-url', 'postgres://postgres@127.0.0.1:5432'),
  /** The CLI to start (another build, or a stand-in while the service is being written). */
  cli: resolve(arg('--cli', join(ROOT, 'bin/custody.js'))),
  json: flag('--json'),
  build: !flag('--no-build'),
  keep: flag('--keep'),
};
const PG_DB = 'custody_bench';
const TARGETS = { ingestPerS: 200, exactP95Ms: 20, rangeP95Ms: 100 };
const progress = process.stderr.isTTY
  ? (s: string) => process.stderr.write(`\r\x1b[2K${s}`)
  : () => {};
const say = (s: string) => {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
  process.stderr.write(`${s}\n`);
};

interface DbResult {
  db: 'sqlite' | 'postgres';
  ingest: {
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
  };
  hits: { query: string; expected: number; found: number | string }[];
  /** Repeats answered from the search cache (what clients get by default). */
  exact: QueryStats;
  range: QueryStats;
  /** Every request searching the index (Cache-Control: no-cache). */
  exactIndex: QueryStats;
  rangeIndex: QueryStats;
  databaseBytes: number | undefined;
  /** PostgreSQL: whether the bench ran ANALYZE after the load because autovacuum is off. */
  analyzed: boolean;
}

await main().catch((e: unknown) => {
  say(`inventory bench failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});

async function main(): Promise<void> {
  validateOptions();
  if (OPTS.build) build();
  const portfolio = preparePortfolio(ROOT, OPTS, { say, progress });
  const dbs = OPTS.db === 'both' ? (['sqlite', 'postgres'] as const) : ([OPTS.db] as const);
  const results: DbResult[] = [];
  const errors: { db: string; error: string }[] = [];
  for (const db of dbs) {
    // One database failing (PostgreSQL not running, say) still leaves the other's figures.
    try {
      results.push(await runOne(db, portfolio));
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      say(`${db}: FAILED: ${error}`);
      errors.push({ db, error });
    }
  }
  report(results, errors, portfolio);
  const failed =
    errors.length > 0 ||
    results.some((r) => r.ingest.failures > 0 || r.hits.some((h) => h.found !== h.expected));
  if (failed) process.exitCode = 1;
}

function validateOptions(): void {
  const nums = ['releases', 'components', 'perProduct', 'concurrency', 'connections', 'durationS'];
  for (const k of nums) {
    const v = OPTS[k as keyof typeof OPTS] as number;
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} must be a positive whole number`);
  }
  if (!Number.isFinite(OPTS.rate) || OPTS.rate < 0) throw new Error('--rate must be 0 or more');
  if (!['sqlite', 'postgres', 'both'].includes(OPTS.db)) {
    throw new Error('--db must be sqlite, postgres or both');
  }
}

function build(): void {
  say('building dist/ (tsc -p tsconfig.build.json)…');
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) {
    throw new Error(`the build failed (npm run build):\n${(r.stdout + r.stderr).slice(0, 2000)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// One database: fresh service, load, check hits, measure queries, stop
// ---------------------------------------------------------------------------------------------

async function runOne(db: 'sqlite' | 'postgres', portfolio: LoadedPortfolio): Promise<DbResult> {
  const dataDir = mkdtempSync(join(tmpdir(), `custody-bench-inventory-${db}-`));
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['CUSTODY_DATABASE_URL'];
  if (db === 'postgres') {
    await recreatePgDatabase();
    env['CUSTODY_DATABASE_URL'] = `${OPTS.pgUrl}/${PG_DB}`;
  }
  let server: ChildProcess | undefined;
  try {
    const token = createToken(dataDir, env);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    server = startServer(dataDir, port, env);
    await waitHealthy(base, server, dataDir);
    say(`${db}: service up on ${base} (data dir ${dataDir})`);
    const ingest = await ingestAll(db, base, token, portfolio);
    say(
      `${db}: ingested ${ingest.sboms} SBOMs (${ingest.rows.toLocaleString('en')} component rows) ` +
        `in ${ingest.seconds.toFixed(1)} s: ${ingest.sbomsPerS.toFixed(0)} SBOMs/s` +
        (ingest.failures ? `, ${ingest.failures} FAILED (first: ${ingest.firstFailure})` : ''),
    );
    const analyzed = db === 'postgres' ? await analyzeIfNoAutovacuum() : false;
    const hits = await checkHits(base, token, portfolio);
    for (const h of hits.filter((x) => x.found !== x.expected)) {
      say(`${db}: HIT COUNT MISMATCH ${h.query}: expected ${h.expected}, found ${h.found}`);
    }
    const common = {
      base,
      token,
      connections: OPTS.connections,
      ...(OPTS.rate > 0 ? { rate: OPTS.rate } : {}),
    };
    const measure = async (kind: string, paths: string[], noCache: boolean) => {
      // A short unrecorded run first: caches and JIT warm, as on a service that has been up.
      await measureQueries({
        ...common,
        durationS: Math.min(2, Math.ceil(OPTS.durationS / 3)),
        paths,
        noCache,
      });
      say(
        `${db}: ${kind} queries${noCache ? ' (Cache-Control: no-cache)' : ''}, ${OPTS.connections} connections, ${OPTS.durationS} s…`,
      );
      return measureQueries({ ...common, durationS: OPTS.durationS, paths, noCache });
    };
    // First every request searches the index (no-cache); then as clients ask by default, where a
    // repeat is answered from the service's search cache until the next write.
    const exactIndex = await measure('exact-purl', portfolio.exactPaths, true);
    const rangeIndex = await measure('version-range', portfolio.rangePaths, true);
    const exact = await measure('exact-purl', portfolio.exactPaths, false);
    const range = await measure('version-range', portfolio.rangePaths, false);
    const databaseBytes = await databaseSize(db, dataDir);
    return { db, ingest, hits, exact, range, exactIndex, rangeIndex, databaseBytes, analyzed };
  } catch (e) {
    const log = join(dataDir, 'server.log');
    if (existsSync(log)) say(`${db}: server log tail:\n${tail(readFileSync(log, 'utf8'), 20)}`);
    throw e;
  } finally {
    if (server) await stopServer(server);
    if (!OPTS.keep) {
      rmSync(dataDir, { recursive: true, force: true });
      if (db === 'postgres') await dropPgDatabase().catch(() => {});
    } else {
      say(`${db}: kept ${dataDir}${db === 'postgres' ? ` and database ${PG_DB}` : ''}`);
    }
  }
}

function createToken(dataDir: string, env: NodeJS.ProcessEnv): string {
  const r = spawnSync(
    process.execPath,
    [OPTS.cli, 'token', 'create', '--role', 'admin', '--data-dir', dataDir],
    { cwd: ROOT, env, encoding: 'utf8' },
  );
  const last = r.stdout.trim().split('\n').pop()?.trim() ?? '';
  if (r.status !== 0 || last === '') {
    throw new Error(
      `custody token create failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().slice(0, 500)}`,
    );
  }
  return last;
}

function startServer(dataDir: string, port: number, env: NodeJS.ProcessEnv): ChildProcess {
  const log = createWriteStream(join(dataDir, 'server.log'));
  const child = spawn(
    process.execPath,
    [OPTS.cli, 'serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  // Whatever happens to this process, do not leave a server behind.
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.removeListener('exit', kill));
  return child;
}

async function waitHealthy(base: string, server: ChildProcess, dataDir: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) {
      const log = readFileSync(join(dataDir, 'server.log'), 'utf8');
      throw new Error(
        `custody serve exited (${server.exitCode ?? server.signalCode}):\n${tail(log, 20)}`,
      );
    }
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`custody serve did not answer GET /healthz with 200 within 60 s`);
}

async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  server.kill('SIGTERM');
  const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
  await once(server, 'exit');
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------
// Ingest
// ---------------------------------------------------------------------------------------------

async function ingestAll(
  db: string,
  base: string,
  token: string,
  portfolio: LoadedPortfolio,
): Promise<DbResult['ingest']> {
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
    const s = (performance.now() - t0) / 1000;
    progress(`${db}: ingested ${done}/${items.length} (${(done / s).toFixed(0)} SBOMs/s)`);
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
        const res = await fetch(`${base}/api/v1/sboms?${q}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
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
  await Promise.all(Array.from({ length: OPTS.concurrency }, worker));
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

// ---------------------------------------------------------------------------------------------
// Hit counts: page through the first queries of each kind and compare with the generator
// ---------------------------------------------------------------------------------------------

async function checkHits(
  base: string,
  token: string,
  portfolio: LoadedPortfolio,
): Promise<DbResult['hits']> {
  const out: DbResult['hits'] = [];
  for (const c of portfolio.checks) {
    let found: number | string = 0;
    let cursor: string | null = null;
    for (let page = 0; page < 200; page++) {
      const url: string = `${base}${c.path}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
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

async function withPg<T>(fn: (q: (sql: string) => Promise<{ rows: unknown[] }>) => Promise<T>) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: `${OPTS.pgUrl}/postgres` });
  await client.connect();
  try {
    return await fn((sql) => client.query(sql));
  } finally {
    await client.end();
  }
}

async function recreatePgDatabase(): Promise<void> {
  await withPg(async (q) => {
    await q(`DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)`);
    await q(`CREATE DATABASE ${PG_DB}`);
  });
}

/**
 * A server with autovacuum off never gathers statistics on its own, and the planner then takes the
 * freshly loaded tables for empty (a range query on 200 releases ran 27 ms instead of 3 ms). Do
 * once what autovacuum would have done, and say so in the report.
 */
async function analyzeIfNoAutovacuum(): Promise<boolean> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: `${OPTS.pgUrl}/${PG_DB}` });
  await client.connect();
  try {
    const r = await client.query('SHOW autovacuum');
    if ((r.rows[0] as { autovacuum: string }).autovacuum === 'on') return false;
    say('postgres: autovacuum is off on this server: running ANALYZE once, as autovacuum would');
    await client.query('ANALYZE');
    return true;
  } finally {
    await client.end();
  }
}

async function dropPgDatabase(): Promise<void> {
  await withPg(async (q) => {
    await q(`DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)`);
  });
}

async function databaseSize(db: string, dataDir: string): Promise<number | undefined> {
  if (db === 'postgres') {
    return withPg(async (q) => {
      const r = await q(`SELECT pg_database_size('${PG_DB}') AS n`);
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
  visit(dataDir);
  return total || undefined;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  await once(srv, 'close');
  return port;
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

function report(
  results: DbResult[],
  errors: { db: string; error: string }[],
  portfolio: LoadedPortfolio,
): void {
  const s = results.find((r) => r.db === 'sqlite');
  const p = results.find((r) => r.db === 'postgres');
  type Row = [string, (r: DbResult) => number | undefined, (n: number) => string, string];
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  const rate = (unit: string) => (n: number) => `${Math.round(n).toLocaleString('en')} ${unit}`;
  const rows: Row[] = [
    [
      'ingest',
      (r) => r.ingest.sbomsPerS,
      rate('SBOMs/s'),
      `≥ ${TARGETS.ingestPerS} SBOMs/s (SQLite)`,
    ],
    ['ingest, last 10 % of uploads', (r) => r.ingest.lastTenthSbomsPerS, rate('SBOMs/s'), ''],
    ['ingest component rows', (r) => r.ingest.rowsPerS, rate('rows/s'), ''],
    ['ingest request p95', (r) => r.ingest.p95Ms, ms, ''],
    ['exact purl p50, index', (r) => r.exactIndex.p50Ms, ms, ''],
    ['exact purl p95, index', (r) => r.exactIndex.p95Ms, ms, `< ${TARGETS.exactP95Ms} ms`],
    ['exact purl throughput, index', (r) => r.exactIndex.requestsPerS, rate('req/s'), ''],
    ['version range p50, index', (r) => r.rangeIndex.p50Ms, ms, ''],
    ['version range p95, index', (r) => r.rangeIndex.p95Ms, ms, `< ${TARGETS.rangeP95Ms} ms`],
    ['version range throughput, index', (r) => r.rangeIndex.requestsPerS, rate('req/s'), ''],
    ['exact purl p50, cached', (r) => r.exact.p50Ms, ms, ''],
    ['exact purl p95, cached', (r) => r.exact.p95Ms, ms, `< ${TARGETS.exactP95Ms} ms`],
    ['exact purl p99, cached', (r) => r.exact.p99Ms, ms, ''],
    ['exact purl throughput, cached', (r) => r.exact.requestsPerS, rate('req/s'), ''],
    ['version range p50, cached', (r) => r.range.p50Ms, ms, ''],
    ['version range p95, cached', (r) => r.range.p95Ms, ms, `< ${TARGETS.rangeP95Ms} ms`],
    ['version range p99, cached', (r) => r.range.p99Ms, ms, ''],
    ['version range throughput, cached', (r) => r.range.requestsPerS, rate('req/s'), ''],
    ['database size', (r) => r.databaseBytes, (n) => `${(n / 1e6).toFixed(0)} MB`, ''],
  ];
  const table = rows.map(([label, get, fmt, target]) => {
    const sv = s ? get(s) : undefined;
    const pv = p ? get(p) : undefined;
    const ratio =
      sv !== undefined && pv !== undefined && pv !== 0 ? `${(sv / pv).toFixed(2)}x` : '';
    return [label, sv === undefined ? '' : fmt(sv), pv === undefined ? '' : fmt(pv), ratio, target];
  });
  if (OPTS.json) {
    const ratio = (get: (r: DbResult) => number | undefined) => {
      const a = s ? get(s) : undefined;
      const b = p ? get(p) : undefined;
      return a !== undefined && b !== undefined && b !== 0 ? a / b : null;
    };
    const out = {
      portfolio: portfolio.summary,
      options: { ...OPTS, json: undefined },
      targets: TARGETS,
      results: Object.fromEntries(results.map((r) => [r.db, r])),
      ratioSqliteToPostgres: Object.fromEntries(rows.map(([label, get]) => [label, ratio(get)])),
      verdicts: verdicts(results),
      errors,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  const sum = portfolio.summary;
  console.log(
    `\n## Inventory: ${sum.releases.toLocaleString('en')} releases (${sum.products} products), ` +
      `${sum.componentRows.toLocaleString('en')} component rows, ${sum.distinctPurls.toLocaleString('en')} distinct purls, ` +
      `${(sum.bytes / 1e9).toFixed(2)} GB of CycloneDX\n` +
      `   ingest: ${OPTS.concurrency} uploads in flight; queries: autocannon, ${OPTS.connections} connections` +
      `${OPTS.rate > 0 ? ` offering ${OPTS.rate} req/s` : ' (closed loop)'}, ` +
      `${OPTS.durationS} s each, ${portfolio.exactPaths.length} exact purls / ${portfolio.rangePaths.length} ranges rotating\n`,
  );
  const head = ['metric', 'SQLite', 'PostgreSQL', 'SQLite/PostgreSQL', 'target'];
  const widths = head.map((h, i) =>
    Math.max(h.length, ...table.map((r) => (r[i] as string).length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of table) console.log(line(r as string[]));
  console.log('');
  for (const r of results) {
    const bad = r.hits.filter((h) => h.found !== h.expected);
    console.log(
      `${r.db}: ${r.hits.length - bad.length}/${r.hits.length} hit counts as generated` +
        (bad.length
          ? ` — MISMATCH: ${bad.map((h) => `${h.query} ${h.found}≠${h.expected}`).join('; ')}`
          : '') +
        `; errors under load: exact ${r.exact.errors}${kindsOf(r.exact)}, range ${r.range.errors}${kindsOf(r.range)}`,
    );
  }
  if (p?.analyzed) {
    console.log('postgres: autovacuum is off on this server; the bench ran ANALYZE after the load');
  }
  for (const v of verdicts(results)) console.log(v);
  for (const e of errors) console.log(`${e.db}: FAILED: ${e.error.split('\n')[0]}`);
}

function kindsOf(q: QueryStats): string {
  return q.errorKinds ? ` (${q.errorKinds})` : '';
}

function verdicts(results: DbResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    const checks: [string, boolean][] = [
      ['exact p95 (index)', r.exactIndex.p95Ms < TARGETS.exactP95Ms],
      ['range p95 (index)', r.rangeIndex.p95Ms < TARGETS.rangeP95Ms],
      ['exact p95 (cached)', r.exact.p95Ms < TARGETS.exactP95Ms],
      ['range p95 (cached)', r.range.p95Ms < TARGETS.rangeP95Ms],
    ];
    if (r.db === 'sqlite') checks.unshift(['ingest', r.ingest.sbomsPerS >= TARGETS.ingestPerS]);
    out.push(
      `${r.db} targets: ${checks.map(([n, ok]) => `${n} ${ok ? 'met' : 'MISSED'}`).join(', ')}`,
    );
  }
  return out;
}

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
}

function tail(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join('\n');
}
