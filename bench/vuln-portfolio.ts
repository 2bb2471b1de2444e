/**
 * npm run bench -- vuln-portfolio [--releases 10000] [--components 500] [--per-product 20]
 *   [--db sqlite|postgres|both] [--concurrency 8] [--batch 500] [--new 7] [--seed 1]
 *   [--pg-url postgres://postgres@127.0.0.1:5432] [--json] [--no-build] [--keep]
 *   [--cpu-prof DIR] [--cli bin/custody.js]
 *
 * Vulnerability matching at portfolio scale, in the service, SQLite and PostgreSQL side by side.
 * The inventory bench's portfolio (default 10,000 releases × 500 components = 5,000,000 component
 * rows of real package names and versions, bench/_gen-portfolio.ts) is loaded into a fresh
 * `custody serve` over HTTP, and once the service has matched every SBOM (against no advisories
 * yet) two things are timed:
 *
 * 1. Full portfolio: every OSV record of ../shared/conformance/osv (go, pypi, crates-io, npm,
 *    distro; 8,290 records) POSTed to /api/v1/advisories in batches of `--batch`, as `custody vuln
 *    ingest` sends them, and the time from the first POST until every advisory version is matched
 *    against the whole portfolio (its `matched_at`, what `/metrics` counts as
 *    custody_advisory_versions_pending_match). Ingest and matching are reported apart, with the
 *    findings opened.
 * 2. A new advisory → its affected list: one new OSV record (realistic: one of the hot packages of
 *    the portfolio — npm lodash, minimist, PyPI requests, log4j-core, golang.org/x/net, serde —
 *    with a version range) POSTed alone, and the time until `GET /api/v1/vulnerabilities?id=…`
 *    lists its affected releases; the median over `--new` distinct advisories, each on a quiet
 *    service (the previous one's job finished).
 *
 * Nobody wins by finding less: the findings expected are worked out offline from the SBOM files
 * with vuln/'s matcher (one finding per advisory × release × package, as the service keys them),
 * and each new advisory's affected releases are also checked against the generator's own count
 * of the range it names (the inventory bench's version-range checks).
 *
 * The service's state is read from its database directly only to know when it is quiet (SBOMs not
 * yet matched, matching jobs waiting) and when the last advisory version was matched.
 *
 * `--cpu-prof DIR` runs the service with node --cpu-prof (a profile per database in DIR, written
 * when the bench stops it). Targets (the issue): full portfolio < 30 s; a new advisory → affected
 * list < 1 s. Expected findings are cached beside the portfolio under bench/.data/inventory/.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readLocalAdvisories } from '../src/app/vulnerabilities/advisory-files.js';
import { type OsvRecord, osvRecordFromJson } from '../src/formats/index.js';
import { type AdvisoryIndex, createAdvisoryIndex, matchPurl } from '../src/vuln/index.js';
import { type LoadedPortfolio, preparePortfolio, RANGE_QUERIES } from './_gen-portfolio.js';
import {
  analyzeIfNoAutovacuum,
  type BenchDb,
  buildDist,
  databaseSize,
  type IngestFigures,
  ingestPortfolio,
  percentile,
  type RunningService,
  serverLogTail,
  startService,
  stderrOut,
  stopService,
} from './_service.js';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const OSV = resolve(ROOT, '../shared/conformance/osv');
const OSV_DIRS = ['go', 'pypi', 'crates-io', 'npm', 'distro'];
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
  db: arg('--db', 'both') as BenchDb | 'both',
  concurrency: Number(arg('--concurrency', '8')),
  /** OSV records per POST (what `custody vuln ingest` sends). */
  batch: Number(arg('--batch', '500')),
  /** New advisories timed one by one. */
  newAdvisories: Number(arg('--new', String(RANGE_QUERIES.length))),
  pgUrl: arg('--pg-url', 'postgres://postgres@127.0.0.1:5432'),
  cli: resolve(arg('--cli', join(ROOT, 'bin/custody.js'))),
  cpuProf: argv.includes('--cpu-prof') ? resolve(arg('--cpu-prof', 'bench/.data/cpu-prof')) : '',
  json: flag('--json'),
  build: !flag('--no-build'),
  keep: flag('--keep'),
};
/** Not the inventory bench's database, so both may run at once. */
const PG_DB = 'custody_bench_vuln';
const TARGETS = { fullPortfolioS: 30, newAdvisoryS: 1 };
/** How long the bench waits for the service to finish what it was given before giving up. */
const QUIET_TIMEOUT_MS = 60 * 60_000;
const POLL_MS = 20;
const OUT = stderrOut();
const say = OUT.say;

interface NewAdvisory {
  record: Record<string, unknown>;
  id: string;
  label: string;
  /** The inventory bench's version-range check of the same range: component rows in range. */
  rangeCheck: number | undefined;
}

interface Expected {
  /** Findings (advisory × release × package) of the whole OSV set, withdrawn records left out. */
  findings: number;
  advisoriesWithFindings: number;
  releasesWithFindings: number;
  /** Per new advisory id: findings and distinct releases. */
  newAdvisories: Record<string, { findings: number; releases: number }>;
}

interface NewAdvisoryResult {
  id: string;
  label: string;
  /** POST → the listing shows the affected releases (what a user waits). */
  seconds: number;
  /** The POST alone. */
  postSeconds: number;
  /** Server side: ingested_at → matched_at (affectedReadyAt). */
  serverSeconds: number | undefined;
  expectedFindings: number;
  foundFindings: number;
  expectedReleases: number;
  foundReleases: number;
  rangeCheck: number | undefined;
}

interface DbResult {
  db: BenchDb;
  load: IngestFigures;
  /** Portfolio load end → every SBOM matched (against no advisories). */
  sbomMatchTailS: number;
  osv: {
    records: number;
    created: number;
    ingestS: number;
    recordsPerS: number;
    /** First POST → the last advisory version matched. */
    allMatchedS: number;
    /** Last POST answered → the last advisory version matched. */
    matchAfterIngestS: number;
    /** First POST → the matching queue empty (VEX drafts of the last job included). */
    queueIdleS: number;
    findingsOpen: number;
    advisoriesWithFindings: number;
    pendingAtEnd: number;
    vexDrafts: number;
  };
  newAdvisories: NewAdvisoryResult[];
  newMedianS: number;
  newMaxS: number;
  newServerMedianS: number;
  databaseBytes: number | undefined;
  analyzed: boolean;
}

async function main(): Promise<void> {
  validateOptions();
  if (OPTS.build) buildDist(ROOT, OUT);
  const portfolio = preparePortfolio(ROOT, OPTS, OUT);
  const osv = loadOsv();
  say(`osv: ${osv.values.length} records from ${OSV_DIRS.map((d) => `osv/${d}`).join(', ')}`);
  const fresh = newAdvisories(OPTS.newAdvisories, portfolio, new Set(osv.ids));
  const expected = expectedFindings(portfolio, osv, fresh);
  say(
    `expected (offline, vuln/'s matcher over the SBOM files): ${expected.findings.toLocaleString('en')} findings ` +
      `of ${expected.advisoriesWithFindings} advisories in ${expected.releasesWithFindings} releases`,
  );
  const dbs = OPTS.db === 'both' ? (['sqlite', 'postgres'] as const) : ([OPTS.db] as const);
  const results: DbResult[] = [];
  const errors: { db: string; error: string }[] = [];
  for (const db of dbs) {
    try {
      results.push(await runOne(db, portfolio, osv, fresh, expected));
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      say(`${db}: FAILED: ${error}`);
      errors.push({ db, error });
    }
  }
  report(results, errors, portfolio, osv, expected);
  if (errors.length > 0 || results.some((r) => mismatches(r, expected).length > 0)) {
    process.exitCode = 1;
  }
}

function validateOptions(): void {
  const nums = [
    'releases',
    'components',
    'perProduct',
    'concurrency',
    'batch',
    'newAdvisories',
  ] as const;
  for (const k of nums) {
    const v = OPTS[k];
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} must be a positive whole number`);
  }
  if (OPTS.batch > 5000) throw new Error('--batch is at most 5000 (the service refuses more)');
  if (!['sqlite', 'postgres', 'both'].includes(OPTS.db)) {
    throw new Error('--db must be sqlite, postgres or both');
  }
}

// ---------------------------------------------------------------------------------------------
// The advisories: the OSV data, and new ones on the portfolio's hot packages
// ---------------------------------------------------------------------------------------------

interface OsvSet {
  values: unknown[];
  ids: string[];
  records: OsvRecord[];
  digest: string;
}

/** Every record `custody vuln ingest` would send from the OSV folders (checked the same way). */
function loadOsv(): OsvSet {
  const local = readLocalAdvisories(OSV_DIRS.map((d) => join(OSV, d)));
  const refused = local.filter((r) => !r.ok);
  if (refused.length > 0) say(`osv: ${refused.length} records refused locally, left out`);
  const values = local.flatMap((r) => (r.ok ? [r.value] : []));
  const records = values.map((v, i) => osvRecordFromJson(v, `record ${i}`));
  const digest = createHash('sha256');
  for (const v of values) digest.update(JSON.stringify(v));
  return { values, ids: records.map((r) => r.id), records, digest: digest.digest('hex') };
}

const OSV_ECOSYSTEM: Record<string, string> = {
  npm: 'npm',
  pypi: 'PyPI',
  maven: 'Maven',
  golang: 'Go',
  cargo: 'crates.io',
};

/**
 * `n` new OSV records, one per range the inventory bench queries (cycled when more are asked
 * for), each with an id of its own in GitHub's format: what a fresh GHSA looks like on the day.
 */
function newAdvisories(n: number, portfolio: LoadedPortfolio, taken: Set<string>): NewAdvisory[] {
  const out: NewAdvisory[] = [];
  for (let i = 0; out.length < n; i++) {
    const q = RANGE_QUERIES[i % RANGE_QUERIES.length] as (typeof RANGE_QUERIES)[number];
    const id = ghsaId(`custody-bench-new:${i}`);
    if (taken.has(id)) continue;
    const type = q.purl.slice(4, q.purl.indexOf('/'));
    const path = q.purl.slice(q.purl.indexOf('/') + 1);
    const ecosystem = OSV_ECOSYSTEM[type] as string;
    const name = type === 'maven' ? path.replace('/', ':') : path;
    const events: Record<string, string>[] = [];
    const strip = (v: string) => (type === 'golang' ? v.replace(/^v/, '') : v);
    const constraints = q.range.slice(q.range.indexOf('/') + 1).split('|');
    const lower = constraints.find((c) => c.startsWith('>='));
    const upper = constraints.find((c) => c.startsWith('<') && !c.startsWith('<='));
    events.push({ introduced: lower ? strip(lower.slice(2)) : '0' });
    if (upper) events.push({ fixed: strip(upper.slice(1)) });
    const record = {
      schema_version: '1.6.0',
      id,
      modified: '2026-11-02T08:00:00Z',
      published: '2026-11-02T08:00:00Z',
      aliases: [`CVE-2026-${String(90_000 + i).padStart(5, '0')}`],
      summary: `Prototype pollution in ${name} (custody bench advisory ${i + 1})`,
      details: `A crafted input lets an attacker change object prototypes in ${name} ${q.range}.`,
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      affected: [
        {
          package: { ecosystem, name, purl: q.purl },
          ranges: [
            { type: ['npm', 'golang', 'cargo'].includes(type) ? 'SEMVER' : 'ECOSYSTEM', events },
          ],
        },
      ],
      references: [{ type: 'ADVISORY', url: `https://github.com/advisories/${id}` }],
    };
    const check = portfolio.checks.find((c) => c.label === `${q.purl} ${q.range}`);
    out.push({ record, id, label: `${q.purl} ${q.range}`, rangeCheck: check?.expected });
  }
  return out;
}

function ghsaId(seed: string): string {
  const alphabet = '23456789cfghjmpqrvwx';
  const h = createHash('sha256').update(seed).digest();
  const part = (o: number) =>
    Array.from({ length: 4 }, (_, k) => alphabet[(h[o + k] as number) % alphabet.length]).join('');
  return `GHSA-${part(0)}-${part(4)}-${part(8)}`;
}

/**
 * What the service must find, worked out without it: every release's purls (from its SBOM file)
 * through vuln/'s matcher, one finding per advisory × release × package. Cached by portfolio,
 * OSV data and new advisories.
 */
function expectedFindings(portfolio: LoadedPortfolio, osv: OsvSet, fresh: NewAdvisory[]): Expected {
  const key = createHash('sha256')
    .update(osv.digest)
    .update(JSON.stringify(fresh.map((f) => f.record)))
    .digest('hex')
    .slice(0, 16);
  const cache = join(portfolio.dir, `vuln-expected-${key}.json`);
  if (existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8')) as Expected;
  const t0 = performance.now();
  const all = createAdvisoryIndex(osv.records);
  const mine = createAdvisoryIndex(
    fresh.map((f, i) => osvRecordFromJson(f.record, `new advisory ${i}`)),
  );
  const memo = new Map<string, string[]>();
  const hitsOf = (index: AdvisoryIndex, tag: string, purl: string): string[] => {
    const k = `${tag}${purl}`;
    let ids = memo.get(k);
    if (ids === undefined) {
      const m = matchPurl(index, purl);
      ids = m.kind === 'matched' ? m.hits.map((h) => h.record.id) : [];
      memo.set(k, ids);
    }
    return ids;
  };
  let findings = 0;
  const advisories = new Set<string>();
  let releases = 0;
  const perNew: Expected['newAdvisories'] = Object.fromEntries(
    fresh.map((f) => [f.id, { findings: 0, releases: 0 }]),
  );
  let done = 0;
  for (const r of portfolio.releases) {
    const text = readFileSync(join(portfolio.dir, r.file), 'utf8');
    const pairs = new Set<string>();
    const newPairs = new Set<string>();
    for (const m of text.matchAll(/"purl":"(pkg:[^"]+)"/g)) {
      const purl = m[1] as string;
      const base = purl.slice(0, purl.lastIndexOf('@'));
      for (const id of hitsOf(all, 'a', purl)) pairs.add(`${id}\u0000${base}`);
      for (const id of hitsOf(mine, 'n', purl)) newPairs.add(`${id}\u0000${base}`);
    }
    findings += pairs.size;
    if (pairs.size > 0) releases++;
    for (const p of pairs) advisories.add(p.slice(0, p.indexOf('\u0000')));
    const newIds = new Set<string>();
    for (const p of newPairs) {
      const id = p.slice(0, p.indexOf('\u0000'));
      (perNew[id] as { findings: number }).findings++;
      newIds.add(id);
    }
    for (const id of newIds) (perNew[id] as { releases: number }).releases++;
    if (++done % 100 === 0) OUT.progress(`expected findings: ${done}/${portfolio.releases.length}`);
  }
  const out: Expected = {
    findings,
    advisoriesWithFindings: advisories.size,
    releasesWithFindings: releases,
    newAdvisories: perNew,
  };
  mkdirSync(portfolio.dir, { recursive: true });
  writeFileSync(cache, JSON.stringify(out));
  say(`expected findings worked out in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// One database
// ---------------------------------------------------------------------------------------------

async function runOne(
  db: BenchDb,
  portfolio: LoadedPortfolio,
  osv: OsvSet,
  fresh: NewAdvisory[],
  expected: Expected,
): Promise<DbResult> {
  const svc = { root: ROOT, cli: OPTS.cli, pgUrl: OPTS.pgUrl, pgDb: PG_DB, out: OUT };
  if (OPTS.cpuProf) mkdirSync(OPTS.cpuProf, { recursive: true });
  let service: RunningService | undefined;
  let reader: Reader | undefined;
  try {
    service = await startService(db, {
      ...svc,
      name: 'vuln',
      ...(OPTS.cpuProf
        ? {
            nodeArgs: [
              '--cpu-prof',
              '--cpu-prof-dir',
              OPTS.cpuProf,
              '--cpu-prof-name',
              `serve-${db}-${Date.now()}.cpuprofile`,
            ],
          }
        : {}),
    });
    const s = service;
    reader = await openReader(s);
    const r = reader;

    const load = await ingestPortfolio(s, portfolio, { concurrency: OPTS.concurrency, out: OUT });
    say(
      `${db}: loaded ${load.sboms} SBOMs (${load.rows.toLocaleString('en')} component rows) in ` +
        `${load.seconds.toFixed(1)} s (${load.sbomsPerS.toFixed(0)} SBOMs/s)` +
        (load.failures ? `, ${load.failures} FAILED (first: ${load.firstFailure})` : ''),
    );
    if (load.failures > 0) throw new Error(`${load.failures} SBOM uploads failed`);
    const tailStart = performance.now();
    await waitQuiet(s, r, 'the SBOM matching of the portfolio');
    const sbomMatchTailS = (performance.now() - tailStart) / 1000;
    say(`${db}: every SBOM matched ${sbomMatchTailS.toFixed(1)} s after the load`);
    const analyzed =
      s.databaseUrl !== undefined ? await analyzeIfNoAutovacuum(s.databaseUrl, OUT) : false;

    const full = await fullPortfolio(s, r, osv);
    say(
      `${db}: ${full.records} OSV records ingested in ${full.ingestS.toFixed(1)} s; every advisory ` +
        `matched ${full.allMatchedS.toFixed(1)} s after the first POST ` +
        `(${full.matchAfterIngestS.toFixed(1)} s after the last); ${full.findingsOpen.toLocaleString('en')} findings ` +
        `(expected ${expected.findings.toLocaleString('en')})`,
    );

    const news: NewAdvisoryResult[] = [];
    for (const f of fresh) {
      await waitQuiet(s, r, 'the previous job');
      const one = await newAdvisory(s, f, expected);
      say(
        `${db}: new ${f.id} (${f.label}): affected list in ${(one.seconds * 1000).toFixed(0)} ms ` +
          `(server ${one.serverSeconds === undefined ? '?' : (one.serverSeconds * 1000).toFixed(0)} ms), ` +
          `${one.foundReleases} releases (expected ${one.expectedReleases}, generator ${one.rangeCheck ?? '?'})`,
      );
      news.push(one);
    }
    const databaseBytes = await databaseSize(s, svc);
    return {
      db,
      load,
      sbomMatchTailS,
      osv: full,
      newAdvisories: news,
      newMedianS: percentile(
        news.map((n) => n.seconds),
        50,
      ),
      newMaxS: Math.max(...news.map((n) => n.seconds)),
      newServerMedianS: percentile(
        news.flatMap((n) => (n.serverSeconds === undefined ? [] : [n.serverSeconds])),
        50,
      ),
      databaseBytes,
      analyzed,
    };
  } catch (e) {
    const log = service ? serverLogTail(service) : undefined;
    if (log) say(`${db}: server log tail:\n${log}`);
    throw e;
  } finally {
    await reader?.close();
    if (service) await stopService(service, { ...svc, keep: OPTS.keep });
  }
}

/** POST every OSV record in batches, then wait until every advisory version is matched. */
async function fullPortfolio(s: RunningService, r: Reader, osv: OsvSet): Promise<DbResult['osv']> {
  const startedAt = Date.now();
  const t0 = performance.now();
  let created = 0;
  for (let i = 0; i < osv.values.length; i += OPTS.batch) {
    const res = await api(s, 'POST', '/api/v1/advisories', osv.values.slice(i, i + OPTS.batch));
    if (res.status !== 201 && res.status !== 200) {
      throw new Error(`POST /api/v1/advisories -> ${res.status} ${res.text.slice(0, 500)}`);
    }
    created += (res.json as { created: number }).created;
    OUT.progress(`${s.db}: ingested ${Math.min(osv.values.length, i + OPTS.batch)} OSV records`);
  }
  const ingestS = (performance.now() - t0) / 1000;
  const ingestedAt = Date.now();
  await until(`every advisory matched on ${s.db}`, async () => {
    const pending = await r.count(
      'SELECT count(*) AS n FROM advisory_versions WHERE matched_at IS NULL',
    );
    OUT.progress(
      `${s.db}: ${pending} advisory versions to match (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
    return pending === 0 ? true : undefined;
  });
  const last = Date.parse(
    (await r.value<string>('SELECT max(matched_at) AS v FROM advisory_versions')) ?? '',
  );
  await waitQuiet(s, r, 'the last matching job');
  const queueIdleS = (performance.now() - t0) / 1000;
  const metrics = await scrape(s);
  const findingsOpen = [...metrics.entries()]
    .filter(([k]) => k.startsWith('custody_vuln_findings_open{'))
    .reduce((sum, [, v]) => sum + v, 0);
  return {
    records: osv.values.length,
    created,
    ingestS,
    recordsPerS: osv.values.length / ingestS,
    allMatchedS: (last - startedAt) / 1000,
    matchAfterIngestS: Math.max(0, (last - ingestedAt) / 1000),
    queueIdleS,
    findingsOpen,
    advisoriesWithFindings: await r.count(
      'SELECT count(DISTINCT advisory_id) AS n FROM vuln_findings WHERE closed_at IS NULL',
    ),
    pendingAtEnd: metrics.get('custody_advisory_versions_pending_match') ?? Number.NaN,
    vexDrafts: await r.count('SELECT count(*) AS n FROM vex_statements'),
  };
}

/** POST one new advisory; poll the listing until it shows the affected releases. */
async function newAdvisory(
  s: RunningService,
  f: NewAdvisory,
  expected: Expected,
): Promise<NewAdvisoryResult> {
  const want = expected.newAdvisories[f.id] ?? { findings: 0, releases: 0 };
  const t0 = performance.now();
  const post = await api(s, 'POST', '/api/v1/advisories', f.record);
  const postSeconds = (performance.now() - t0) / 1000;
  if (post.status !== 201) {
    throw new Error(
      `POST /api/v1/advisories (${f.id}) -> ${post.status} ${post.text.slice(0, 500)}`,
    );
  }
  type Affected = { product: string; release: string };
  let affected: Affected[] = [];
  const path = `/api/v1/vulnerabilities?id=${encodeURIComponent(f.id)}`;
  await until(`the affected list of ${f.id} on ${s.db}`, async () => {
    if (want.findings === 0) {
      // Nothing to list: the affected list is ready when the detail says so.
      const d = await api(s, 'GET', `/api/v1/vulnerabilities/${f.id}`);
      const h = (d.json as { history?: { affectedReadyAt: string | null }[] }).history ?? [];
      return h.at(-1)?.affectedReadyAt ? true : undefined;
    }
    const res = await api(s, 'GET', path);
    if (res.status !== 200)
      throw new Error(`GET ${path} -> ${res.status} ${res.text.slice(0, 300)}`);
    const items = (res.json as { items: { affected: Affected[] }[] }).items;
    if (items.length === 0) return undefined;
    affected = items[0]?.affected ?? [];
    return true;
  });
  const seconds = (performance.now() - t0) / 1000;
  const detail = await api(s, 'GET', `/api/v1/vulnerabilities/${f.id}`);
  const last = (
    detail.json as { history: { ingestedAt: string; affectedReadyAt: string | null }[] }
  ).history.at(-1);
  const serverSeconds =
    last?.affectedReadyAt != null
      ? (Date.parse(last.affectedReadyAt) - Date.parse(last.ingestedAt)) / 1000
      : undefined;
  return {
    id: f.id,
    label: f.label,
    seconds,
    postSeconds,
    serverSeconds,
    expectedFindings: want.findings,
    foundFindings: affected.length,
    expectedReleases: want.releases,
    foundReleases: new Set(affected.map((a) => `${a.product}\u0000${a.release}`)).size,
    rangeCheck: f.rangeCheck,
  };
}

/** Until no current SBOM waits for its match, no advisory version for its, and no job is queued. */
async function waitQuiet(s: RunningService, r: Reader, what: string): Promise<void> {
  const jobs =
    s.db === 'sqlite'
      ? "SELECT count(*) AS n FROM jobs WHERE name = 'vuln-match' AND state IN ('created', 'retry', 'active')"
      : "SELECT count(*) AS n FROM job WHERE name = 'vuln-match' AND state IN ('created', 'retry', 'active')";
  await until(
    `${what} on ${s.db}`,
    async () => {
      const sboms = await r.count(
        'SELECT count(*) AS n FROM sboms s LEFT JOIN vuln_sbom_scans v ON v.sbom_id = s.id WHERE s.current = 1 AND v.sbom_id IS NULL',
      );
      const advisories = await r.count(
        'SELECT count(*) AS n FROM advisory_versions WHERE matched_at IS NULL',
      );
      const queued = await r.count(jobs);
      OUT.progress(
        `${s.db}: waiting for ${what}: ${sboms} SBOMs, ${advisories} advisory versions, ${queued} jobs`,
      );
      return sboms + advisories + queued === 0 ? true : undefined;
    },
    100,
  );
}

// ---------------------------------------------------------------------------------------------
// HTTP, the database reader, polling
// ---------------------------------------------------------------------------------------------

async function api(
  s: RunningService,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; text: string; json: unknown }> {
  const res = await fetch(`${s.base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${s.token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

/** /metrics as name{labels} → value. */
async function scrape(s: RunningService): Promise<Map<string, number>> {
  const res = await api(s, 'GET', '/metrics');
  if (res.status !== 200) throw new Error(`GET /metrics -> ${res.status}`);
  const out = new Map<string, number>();
  for (const line of res.text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

interface Reader {
  count(sql: string): Promise<number>;
  value<T>(sql: string): Promise<T | undefined>;
  close(): Promise<void>;
}

/** Read-only access to the service's database (its own connection; never writes). */
async function openReader(s: RunningService): Promise<Reader> {
  if (s.db === 'postgres') {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: s.databaseUrl });
    await client.connect();
    const first = async (sql: string) =>
      (await client.query(sql)).rows[0] as Record<string, unknown>;
    return {
      count: async (sql) => Number((await first(sql))['n']),
      value: async <T>(sql: string) => ((await first(sql))['v'] ?? undefined) as T | undefined,
      close: () => client.end(),
    };
  }
  const { default: Sqlite } = await import('better-sqlite3');
  const db = new Sqlite(join(s.dataDir, 'custody.db'), { readonly: true, fileMustExist: true });
  const first = (sql: string) => db.prepare(sql).get() as Record<string, unknown>;
  return {
    count: async (sql) => Number(first(sql)['n']),
    value: async <T>(sql: string) => (first(sql)['v'] ?? undefined) as T | undefined,
    close: async () => {
      db.close();
    },
  };
}

async function until(
  what: string,
  check: () => Promise<true | undefined>,
  everyMs = POLL_MS,
): Promise<void> {
  const deadline = Date.now() + QUIET_TIMEOUT_MS;
  for (;;) {
    if ((await check()) !== undefined) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, everyMs));
  }
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

function mismatches(r: DbResult, e: Expected): string[] {
  const out: string[] = [];
  if (r.osv.findingsOpen !== e.findings) {
    out.push(`findings ${r.osv.findingsOpen}≠${e.findings} expected`);
  }
  if (r.osv.advisoriesWithFindings !== e.advisoriesWithFindings) {
    out.push(
      `advisories with findings ${r.osv.advisoriesWithFindings}≠${e.advisoriesWithFindings}`,
    );
  }
  if (r.osv.pendingAtEnd !== 0) out.push(`/metrics pending_match ${r.osv.pendingAtEnd}≠0`);
  for (const n of r.newAdvisories) {
    if (n.foundFindings !== n.expectedFindings || n.foundReleases !== n.expectedReleases) {
      out.push(
        `${n.id} (${n.label}) ${n.foundFindings} findings/${n.foundReleases} releases ≠ ${n.expectedFindings}/${n.expectedReleases}`,
      );
    }
    if (n.rangeCheck !== undefined && n.rangeCheck !== n.expectedReleases) {
      out.push(`${n.id} (${n.label}): generator counted ${n.rangeCheck} releases in range`);
    }
  }
  return out;
}

function report(
  results: DbResult[],
  errors: { db: string; error: string }[],
  portfolio: LoadedPortfolio,
  osv: OsvSet,
  expected: Expected,
): void {
  const s = results.find((r) => r.db === 'sqlite');
  const p = results.find((r) => r.db === 'postgres');
  type Row = [string, (r: DbResult) => number | undefined, (n: number) => string, string];
  const sec = (n: number) => `${n.toFixed(n < 10 ? 2 : 1)} s`;
  const ms = (n: number) => `${(n * 1000).toFixed(0)} ms`;
  const num = (n: number) => Math.round(n).toLocaleString('en');
  const rows: Row[] = [
    ['portfolio load', (r) => r.load.sbomsPerS, (n) => `${num(n)} SBOMs/s`, ''],
    ['SBOM matching after the load', (r) => r.sbomMatchTailS, sec, ''],
    ['OSV ingest (POSTs)', (r) => r.osv.ingestS, sec, ''],
    ['OSV ingest rate', (r) => r.osv.recordsPerS, (n) => `${num(n)} records/s`, ''],
    [
      'full portfolio: all advisories matched',
      (r) => r.osv.allMatchedS,
      sec,
      `< ${TARGETS.fullPortfolioS} s`,
    ],
    ['  of which after the last POST', (r) => r.osv.matchAfterIngestS, sec, ''],
    ['  matching queue empty (VEX drafts)', (r) => r.osv.queueIdleS, sec, ''],
    ['findings open', (r) => r.osv.findingsOpen, num, `= ${num(expected.findings)}`],
    ['VEX drafts (under_investigation)', (r) => r.osv.vexDrafts, num, ''],
    [
      'new advisory → affected list, median',
      (r) => r.newMedianS,
      ms,
      `< ${TARGETS.newAdvisoryS * 1000} ms`,
    ],
    ['new advisory → affected list, max', (r) => r.newMaxS, ms, ''],
    ['  server: ingested → matched, median', (r) => r.newServerMedianS, ms, ''],
    ['database size', (r) => r.databaseBytes, (n) => `${(n / 1e6).toFixed(0)} MB`, ''],
  ];
  const table = rows.map(([label, get, fmt, target]) => {
    const sv = s ? get(s) : undefined;
    const pv = p ? get(p) : undefined;
    return [label, sv === undefined ? '' : fmt(sv), pv === undefined ? '' : fmt(pv), target];
  });
  if (OPTS.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          portfolio: portfolio.summary,
          osvRecords: osv.values.length,
          options: { ...OPTS, json: undefined },
          targets: TARGETS,
          expected,
          results: Object.fromEntries(results.map((r) => [r.db, r])),
          verdicts: verdicts(results, expected),
          errors,
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  const sum = portfolio.summary;
  console.log(
    `\n## Vulnerabilities over the portfolio: ${sum.releases.toLocaleString('en')} releases (${sum.products} products), ` +
      `${sum.componentRows.toLocaleString('en')} component rows, ${sum.distinctPurls.toLocaleString('en')} distinct purls; ` +
      `${osv.values.length.toLocaleString('en')} OSV records (${OSV_DIRS.join(', ')}) in batches of ${OPTS.batch}; ` +
      `${results[0]?.newAdvisories.length ?? OPTS.newAdvisories} new advisories one by one\n`,
  );
  const head = ['metric', 'SQLite', 'PostgreSQL', 'target'];
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
    console.log(`${r.db}: new advisories (POST → listed; server ingested → matched):`);
    for (const n of r.newAdvisories) {
      console.log(
        `  ${n.id} ${n.label.padEnd(52)} ${ms(n.seconds).padStart(7)} (server ${n.serverSeconds === undefined ? '?' : ms(n.serverSeconds)}) ` +
          `${n.foundReleases}/${n.expectedReleases} releases, generator ${n.rangeCheck ?? '—'}`,
      );
    }
  }
  if (p?.analyzed) {
    console.log('postgres: autovacuum is off on this server; the bench ran ANALYZE after the load');
  }
  for (const v of verdicts(results, expected)) console.log(v);
  for (const e of errors) console.log(`${e.db}: FAILED: ${e.error.split('\n')[0]}`);
}

function verdicts(results: DbResult[], expected: Expected): string[] {
  return results.map((r) => {
    const bad = mismatches(r, expected);
    return (
      `${r.db}: full portfolio ${r.osv.allMatchedS < TARGETS.fullPortfolioS ? 'met' : 'MISSED'}, ` +
      `new advisory ${r.newMedianS < TARGETS.newAdvisoryS ? 'met' : 'MISSED'}; ` +
      (bad.length === 0 ? 'every count as expected' : `MISMATCH: ${bad.join('; ')}`)
    );
  });
}

// Last, so that every constant above is initialised when it runs.
await main().catch((e: unknown) => {
  say(`vuln-portfolio bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
});
