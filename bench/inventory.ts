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
import { join, resolve } from 'node:path';
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
};
const PG_DB = 'custody_bench';
const TARGETS = { ingestPerS: 200, exactP95Ms: 20, rangeP95Ms: 100 };
const OUT = stderrOut();
const say = OUT.say;

interface DbResult {
  db: 'sqlite' | 'postgres';
  ingest: IngestFigures;
  hits: HitCheck[];
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

// ---------------------------------------------------------------------------------------------
// One database: fresh service, load, check hits, measure queries, stop
// ---------------------------------------------------------------------------------------------

async function runOne(db: 'sqlite' | 'postgres', portfolio: LoadedPortfolio): Promise<DbResult> {
  const svc = { root: ROOT, cli: OPTS.cli, pgUrl: OPTS.pgUrl, pgDb: PG_DB, out: OUT };
  let service: RunningService | undefined;
  try {
    service = await startService(db, { ...svc, name: 'inventory' });
    const s = service;
    const ingest = await ingestPortfolio(s, portfolio, { concurrency: OPTS.concurrency, out: OUT });
    say(
      `${db}: ingested ${ingest.sboms} SBOMs (${ingest.rows.toLocaleString('en')} component rows) ` +
        `in ${ingest.seconds.toFixed(1)} s: ${ingest.sbomsPerS.toFixed(0)} SBOMs/s` +
        (ingest.failures ? `, ${ingest.failures} FAILED (first: ${ingest.firstFailure})` : ''),
    );
    const analyzed =
      s.databaseUrl !== undefined ? await analyzeIfNoAutovacuum(s.databaseUrl, OUT) : false;
    const hits = await checkHits(s, portfolio.checks);
    for (const h of hits.filter((x) => x.found !== x.expected)) {
      say(`${db}: HIT COUNT MISMATCH ${h.query}: expected ${h.expected}, found ${h.found}`);
    }
    const common = {
      base: s.base,
      token: s.token,
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
    const databaseBytes = await databaseSize(s, svc);
    return { db, ingest, hits, exact, range, exactIndex, rangeIndex, databaseBytes, analyzed };
  } catch (e) {
    const log = service ? serverLogTail(service) : undefined;
    if (log) say(`${db}: server log tail:\n${log}`);
    throw e;
  } finally {
    if (service) await stopService(service, { ...svc, keep: OPTS.keep });
  }
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
