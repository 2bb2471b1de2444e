/**
 * npm run bench -- inventory [--releases 10000] [--components 500] [--per-product 20]
 *   [--db sqlite|postgres|both] [--concurrency 8] [--connections 50] [--duration 10 (3 below 2,000
 *   releases)] [--rate R] [--seed 1]
 *   [--pg-url postgres://postgres@127.0.0.1:5432] [--json] [--no-build] [--keep] [--cli bin/custody.js]
 *   [--reuse] [--measure-at 2000 (releases; 0: none)]
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
 * `--reuse` loads each database once and keeps it for the next run with the same portfolio (SQLite
 * under bench/.data/inventory-db/<portfolio>-sqlite/, PostgreSQL in database
 * custody_bench_<portfolio>), so searches can be measured again without the minutes of loading;
 * the ingest rows are then empty. A store holding part of the portfolio is loaded afresh.
 *
 * `--measure-at N` (default 2,000 releases when more are loaded, i.e. 1,000,000 rows of 500):
 * the load pauses after N releases and the uncached searches are measured there too, so one run
 * shows how their cost grows with the portfolio. The ingest figures then cover both legs of the
 * load (the request p95 is the larger of the two legs').
 *
 * Targets (the issue): ingest ≥ 200 SBOMs/s of 500 components on SQLite; exact-purl p95 < 20 ms;
 * version-range p95 < 100 ms. The generated SBOMs are cached under bench/.data/inventory/.
 */
import { readFileSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { explainComponentSearch } from '../src/app/inventory/search-components.js';
import { openServices } from '../src/app/services.js';
import { parseComponentQuery } from '../src/inventory/query.js';
import { measureQueries, type QueryStats } from './_autocannon.js';
import { type LoadedPortfolio, preparePortfolio } from './_gen-portfolio.js';
import {
  analyzeIfNoAutovacuum,
  buildDist,
  checkHits,
  databaseSize,
  type HitCheck,
  type IngestFigures,
  ingestPortfolio,
  type RunningService,
  serverLogTail,
  startService,
  stderrOut,
  stopService,
  storedSboms,
  withPgClient,
} from './_service.js';

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
  reuse: flag('--reuse'),
  measureAt: Number(arg('--measure-at', Number(arg('--releases', '10000')) > 2000 ? '2000' : '0')),
};
const PG_DB = 'custody_bench';
const TARGETS = { ingestPerS: 200, exactP95Ms: 20, rangeP95Ms: 100 };
/** Query figures with the CPU time each request cost (ms; dbCpuMs on PostgreSQL only). */
type Measured = QueryStats & { serviceCpuMs?: number; dbCpuMs?: number };
const OUT = stderrOut();
const say = OUT.say;

interface DbResult {
  db: 'sqlite' | 'postgres';
  /** undefined: a kept store was reused (`--reuse`), nothing was loaded. */
  ingest: IngestFigures | undefined;
  /** Uncached searches measured when the load paused at `--measure-at` releases. */
  checkpoint?: { releases: number; rows: number; exactIndex: Measured; rangeIndex: Measured };
  hits: HitCheck[];
  /** Repeats answered from the search cache (what clients get by default). */
  exact: Measured;
  range: Measured;
  /** Every request searching the index (Cache-Control: no-cache). */
  exactIndex: Measured;
  rangeIndex: Measured;
  databaseBytes: number | undefined;
  /** The database's plans for the first exact-purl and version-range searches' statements. */
  plans: { query: string; statement: string; plan: string[] }[];
  /** PostgreSQL: whether the bench ran ANALYZE after the load because autovacuum is off. */
  analyzed: boolean;
}

await main().catch((e: unknown) => {
  say(`inventory bench failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});

async function main(): Promise<void> {
  validateOptions();
  if (OPTS.build) buildDist(ROOT, OUT);
  const portfolio = preparePortfolio(ROOT, OPTS, OUT);
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
    results.some(
      (r) => (r.ingest?.failures ?? 0) > 0 || r.hits.some((h) => h.found !== h.expected),
    );
  if (failed) process.exitCode = 1;
}

function validateOptions(): void {
  const nums = ['releases', 'components', 'perProduct', 'concurrency', 'connections', 'durationS'];
  for (const k of nums) {
    const v = OPTS[k as keyof typeof OPTS] as number;
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} must be a positive whole number`);
  }
  if (!Number.isFinite(OPTS.rate) || OPTS.rate < 0) throw new Error('--rate must be 0 or more');
  if (!Number.isInteger(OPTS.measureAt) || OPTS.measureAt < 0) {
    throw new Error('--measure-at must be 0 or a whole number of releases');
  }
  if (!['sqlite', 'postgres', 'both'].includes(OPTS.db)) {
    throw new Error('--db must be sqlite, postgres or both');
  }
}

// ---------------------------------------------------------------------------------------------
// One database: fresh service, load, check hits, measure queries, stop
// ---------------------------------------------------------------------------------------------

async function runOne(db: 'sqlite' | 'postgres', portfolio: LoadedPortfolio): Promise<DbResult> {
  const kept = OPTS.reuse ? keptStore(db, portfolio) : undefined;
  const svc = {
    root: ROOT,
    cli: OPTS.cli,
    pgUrl: OPTS.pgUrl,
    pgDb: kept?.pgDb ?? PG_DB,
    out: OUT,
    name: 'inventory',
  };
  let service: RunningService | undefined;
  try {
    service = await startService(db, { ...svc, ...kept });
    let ingest: IngestFigures | undefined;
    let checkpoint: DbResult['checkpoint'];
    const held = kept ? await storedSboms(service) : 0;
    if (held === portfolio.releases.length) {
      say(`${db}: reusing the kept store with all ${held} SBOMs: nothing loaded`);
    } else {
      if (held > 0) {
        // An interrupted load: start from an empty store rather than guess what is missing.
        say(
          `${db}: the kept store holds ${held} of ${portfolio.releases.length} SBOMs: loading afresh`,
        );
        await stopService(service, { ...svc, keep: true });
        service = undefined;
        if (kept) rmSync(kept.dataDir, { recursive: true, force: true });
        service = await startService(db, { ...svc, ...kept, reuseDatabase: false });
      }
      ({ ingest, checkpoint } = await load(db, service, portfolio));
    }
    const s = service;
    const analyzed =
      s.databaseUrl !== undefined ? await analyzeIfNoAutovacuum(s.databaseUrl, OUT) : false;
    const hits = await checkHits(s, portfolio.checks);
    for (const h of hits.filter((x) => x.found !== x.expected)) {
      say(`${db}: HIT COUNT MISMATCH ${h.query}: expected ${h.expected}, found ${h.found}`);
    }
    const measure = (kind: string, paths: string[], noCache: boolean) =>
      measureKind(db, s, kind, paths, noCache);
    // First every request searches the index (no-cache); then as clients ask by default, where a
    // repeat is answered from the service's search cache until the next write.
    const exactIndex = await measure('exact-purl', portfolio.exactPaths, true);
    const rangeIndex = await measure('version-range', portfolio.rangePaths, true);
    const exact = await measure('exact-purl', portfolio.exactPaths, false);
    const range = await measure('version-range', portfolio.rangePaths, false);
    const databaseBytes = await databaseSize(s, svc);
    const plans = await searchPlans(s, portfolio);
    return {
      db,
      ingest,
      ...(checkpoint ? { checkpoint } : {}),
      hits,
      exact,
      range,
      exactIndex,
      rangeIndex,
      databaseBytes,
      plans,
      analyzed,
    };
  } catch (e) {
    const log = service ? serverLogTail(service) : undefined;
    if (log) say(`${db}: server log tail:\n${log}`);
    throw e;
  } finally {
    if (service) await stopService(service, { ...svc, keep: OPTS.keep || kept !== undefined });
  }
}

/**
 * The plans of the statements the first exact-purl and version-range queries run, read through
 * the service's own store code on its database, so that a search falling back to a scan shows.
 */
async function searchPlans(
  s: RunningService,
  portfolio: LoadedPortfolio,
): Promise<DbResult['plans']> {
  const store = await openServices({ dataDir: s.dataDir, databaseUrl: s.databaseUrl, tlog: false });
  try {
    const out: DbResult['plans'] = [];
    for (const path of [portfolio.exactPaths[0], portfolio.rangePaths[0]]) {
      if (path === undefined) continue;
      const params = Object.fromEntries(new URL(path, 'http://bench').searchParams);
      const query = parseComponentQuery(params);
      const caller = {
        principal: { actor: 'bench', person: 'bench', role: 'admin' as const, teams: undefined },
        source: '127.0.0.1',
      };
      for (const p of await explainComponentSearch(store, caller, query)) {
        out.push({ query: decodeURIComponent(path), statement: p.statement, plan: p.plan });
      }
    }
    return out;
  } finally {
    await store.close();
  }
}

/** Where `--reuse` keeps a loaded store: per database and portfolio. */
function keptStore(
  db: 'sqlite' | 'postgres',
  portfolio: LoadedPortfolio,
): { dataDir: string; pgDb: string; reuseDatabase: true } {
  const key = basename(portfolio.dir);
  return {
    dataDir: join(ROOT, 'bench/.data/inventory-db', `${key}-${db}`),
    pgDb: `custody_bench_${key.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`,
    reuseDatabase: true,
  };
}

/**
 * Load the portfolio; with `--measure-at`, pause after that many releases and measure the
 * uncached searches there (the same paths; hit counts are checked only on the whole portfolio).
 */
async function load(
  db: 'sqlite' | 'postgres',
  s: RunningService,
  portfolio: LoadedPortfolio,
): Promise<{ ingest: IngestFigures; checkpoint?: DbResult['checkpoint'] }> {
  const at = OPTS.measureAt;
  const o = { concurrency: OPTS.concurrency, out: OUT };
  const sayIngest = (f: IngestFigures) =>
    say(
      `${db}: ingested ${f.sboms} SBOMs (${f.rows.toLocaleString('en')} component rows) ` +
        `in ${f.seconds.toFixed(1)} s: ${f.sbomsPerS.toFixed(0)} SBOMs/s` +
        (f.failures ? `, ${f.failures} FAILED (first: ${f.firstFailure})` : ''),
    );
  if (at <= 0 || at >= portfolio.releases.length) {
    const ingest = await ingestPortfolio(s, portfolio, o);
    sayIngest(ingest);
    return { ingest };
  }
  const first = await ingestPortfolio(
    s,
    { ...portfolio, releases: portfolio.releases.slice(0, at) },
    o,
  );
  sayIngest(first);
  if (s.databaseUrl !== undefined) await analyzeIfNoAutovacuum(s.databaseUrl, OUT);
  const exactIndex = await measureKind(db, s, `exact-purl @${at}`, portfolio.exactPaths, true);
  const rangeIndex = await measureKind(db, s, `version-range @${at}`, portfolio.rangePaths, true);
  const rest = await ingestPortfolio(
    s,
    { ...portfolio, releases: portfolio.releases.slice(at) },
    o,
  );
  sayIngest(rest);
  const seconds = first.seconds + rest.seconds;
  const sboms = first.sboms + rest.sboms;
  const rows = first.rows + rest.rows;
  const firstFailure = first.firstFailure ?? rest.firstFailure;
  return {
    ingest: {
      sboms,
      rows,
      seconds,
      sbomsPerS: sboms / seconds,
      lastTenthSbomsPerS: rest.lastTenthSbomsPerS,
      rowsPerS: rows / seconds,
      p50Ms: (first.p50Ms * first.sboms + rest.p50Ms * rest.sboms) / Math.max(1, sboms),
      p95Ms: Math.max(first.p95Ms, rest.p95Ms),
      failures: first.failures + rest.failures,
      ...(firstFailure ? { firstFailure } : {}),
    },
    checkpoint: { releases: at, rows: first.rows, exactIndex, rangeIndex },
  };
}

async function measureKind(
  db: string,
  s: RunningService,
  kind: string,
  paths: string[],
  noCache: boolean,
): Promise<Measured> {
  const common = {
    base: s.base,
    token: s.token,
    connections: OPTS.connections,
    paths,
    noCache,
    ...(OPTS.rate > 0 ? { rate: OPTS.rate } : {}),
  };
  // A short unrecorded run first: caches and JIT warm, as on a service that has been up.
  await measureQueries({ ...common, durationS: Math.min(2, Math.ceil(OPTS.durationS / 3)) });
  say(
    `${db}: ${kind} queries${noCache ? ' (Cache-Control: no-cache)' : ''}, ${OPTS.connections} connections, ${OPTS.durationS} s…`,
  );
  // CPU time per request (service process, and PostgreSQL's backends serving it): unlike the
  // latencies it hardly moves when other work shares the cores, so runs on a busy machine compare.
  const pids = [s.process.pid ?? 0, ...(s.databaseUrl ? await backendPids(s.databaseUrl) : [])];
  const before = pids.map(cpuMs);
  const stats = await measureQueries({ ...common, durationS: OPTS.durationS });
  const used = pids.map((pid, i) => cpuMs(pid) - (before[i] as number));
  const per = (ms: number) => (stats.requests > 0 ? ms / stats.requests : 0);
  return {
    ...stats,
    serviceCpuMs: per(used[0] as number),
    ...(s.databaseUrl ? { dbCpuMs: per(used.slice(1).reduce((a, b) => a + b, 0)) } : {}),
  };
}

/** A process's user + system CPU time in ms from /proc (0 where there is none, as on macOS). */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, in clock ticks of 1/100 s (USER_HZ on Linux).
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
}

/** The PostgreSQL backends connected to the service's database (its pool, once warm). */
async function backendPids(databaseUrl: string): Promise<number[]> {
  return withPgClient(databaseUrl, async (q) => {
    const r = await q(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return (r.rows as { pid: number }[]).map((x) => x.pid);
  });
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
  const cpu = (n: number) => `${n.toFixed(2)} ms`;
  const rate = (unit: string) => (n: number) => `${Math.round(n).toLocaleString('en')} ${unit}`;
  const rows: Row[] = [
    [
      'ingest',
      (r) => r.ingest?.sbomsPerS,
      rate('SBOMs/s'),
      `≥ ${TARGETS.ingestPerS} SBOMs/s (SQLite)`,
    ],
    ['ingest, last 10 % of uploads', (r) => r.ingest?.lastTenthSbomsPerS, rate('SBOMs/s'), ''],
    ['ingest component rows', (r) => r.ingest?.rowsPerS, rate('rows/s'), ''],
    ['ingest request p95', (r) => r.ingest?.p95Ms, ms, ''],
    ...checkpointRows(results),
    ['exact purl p50, index', (r) => r.exactIndex.p50Ms, ms, ''],
    ['exact purl p95, index', (r) => r.exactIndex.p95Ms, ms, `< ${TARGETS.exactP95Ms} ms`],
    ['exact purl throughput, index', (r) => r.exactIndex.requestsPerS, rate('req/s'), ''],
    ['version range p50, index', (r) => r.rangeIndex.p50Ms, ms, ''],
    ['version range p95, index', (r) => r.rangeIndex.p95Ms, ms, `< ${TARGETS.rangeP95Ms} ms`],
    ['version range throughput, index', (r) => r.rangeIndex.requestsPerS, rate('req/s'), ''],
    ['exact purl service CPU/request, index', (r) => r.exactIndex.serviceCpuMs, cpu, ''],
    ['exact purl PostgreSQL CPU/request, index', (r) => r.exactIndex.dbCpuMs, cpu, ''],
    ['version range service CPU/request, index', (r) => r.rangeIndex.serviceCpuMs, cpu, ''],
    ['version range PostgreSQL CPU/request, index', (r) => r.rangeIndex.dbCpuMs, cpu, ''],
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
  for (const r of results) {
    for (const p of r.plans) {
      console.log(`${r.db} plan, ${p.query}, ${p.statement}:\n    ${p.plan.join('\n    ')}`);
    }
  }
  for (const v of verdicts(results)) console.log(v);
  for (const e of errors) console.log(`${e.db}: FAILED: ${e.error.split('\n')[0]}`);
}

// The uncached searches at the load's pause, when there was one: how their cost grows with size.
function checkpointRows(
  results: DbResult[],
): [string, (r: DbResult) => number | undefined, (n: number) => string, string][] {
  const c = results.find((r) => r.checkpoint)?.checkpoint;
  if (!c) return [];
  const at = `at ${c.rows.toLocaleString('en')} rows`;
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  const rate = (n: number) => `${Math.round(n).toLocaleString('en')} req/s`;
  return [
    [`exact purl p95, index, ${at}`, (r) => r.checkpoint?.exactIndex.p95Ms, ms, ''],
    [`exact purl throughput, index, ${at}`, (r) => r.checkpoint?.exactIndex.requestsPerS, rate, ''],
    [`version range p95, index, ${at}`, (r) => r.checkpoint?.rangeIndex.p95Ms, ms, ''],
    [
      `version range throughput, index, ${at}`,
      (r) => r.checkpoint?.rangeIndex.requestsPerS,
      rate,
      '',
    ],
  ];
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
    if (r.db === 'sqlite' && r.ingest) {
      checks.unshift(['ingest', r.ingest.sbomsPerS >= TARGETS.ingestPerS]);
    }
    out.push(
      `${r.db} targets: ${checks.map(([n, ok]) => `${n} ${ok ? 'met' : 'MISSED'}`).join(', ')}`,
    );
  }
  return out;
}
