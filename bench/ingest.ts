/**
 * npm run bench -- ingest [--db sqlite|postgres|both] [--runs 3] [--sboms 24]
 *   [--lockfile ../shared/conformance/lockfiles/yarn/cdxgen__yarn-multi.lock]
 *   [--pg-url postgres://postgres@127.0.0.1:5432] [--json] [--no-build] [--cli bin/custody.js]
 *   [--server-node-args "--cpu-prof --cpu-prof-dir=/tmp/prof"] [--client-node-args "…"]
 *
 * Bulk ingest as a user does it: `custody push sbom <dir>` (the CLI process, over HTTP) into a
 * running `custody serve` on a fresh data directory. The directory holds `--sboms` distinct
 * CycloneDX documents that `custody sbom generate` made from one real lockfile (the largest npm
 * project in ../shared/conformance: 1,909 components), each with its own subject version and
 * serial number, so each is a new release with every component row written.
 *
 * Side by side, in the same run, the machine's limit: the very rows the service stored (read
 * back from its database) inserted raw into empty copies of the index tables, with their indexes,
 * in one transaction — better-sqlite3 prepared multi-row INSERTs on SQLite (same pragmas as the
 * service), INSERT … SELECT FROM unnest($1::…[]) on PostgreSQL. The ratio shows how much of the
 * limit the whole service (HTTP, validation, scoring, catalogue, audit) reaches. There is no
 * runnable peer here (Dependency-Track needs a JVM and its own PostgreSQL; neither is installed).
 *
 * Each run starts a fresh service; the figure is the median over `--runs` runs, with the peak
 * RSS of the server and of the CLI process.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { median } from './_harness.js';
import {
  type BenchDb,
  buildDist,
  type RunningService,
  startService,
  stderrOut,
  stopService,
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
  db: arg('--db', 'both') as BenchDb | 'both',
  runs: Number(arg('--runs', '3')),
  sboms: Number(arg('--sboms', '24')),
  lockfile: resolve(
    ROOT,
    arg('--lockfile', '../shared/conformance/lockfiles/yarn/cdxgen__yarn-multi.lock'),
  ),
  pgUrl: arg('--pg-url', 'postgres://postgres@127.0.0.1:5432'),
  cli: resolve(arg('--cli', join(ROOT, 'bin/custody.js'))),
  serverNodeArgs: arg('--server-node-args', '').split(' ').filter(Boolean),
  clientNodeArgs: arg('--client-node-args', '').split(' ').filter(Boolean),
  json: flag('--json'),
  build: !flag('--no-build'),
};
const PG_DB = 'custody_bench_ingest';
const TARGET_ROWS_PER_S = { sqlite: 100_000, postgres: 50_000 } as const;
const INDEX_TABLES = [
  'packages',
  'licenses',
  'components',
  'component_hashes',
  'component_licenses',
];
const OUT = stderrOut();
const say = OUT.say;

interface Run {
  seconds: number;
  rows: number;
  sboms: number;
  serverRssMb: number;
  clientRssMb: number;
  /** CPU time (user + system, all threads) the server and the CLI spent on the push. */
  serverCpuS: number;
  clientCpuS: number;
  limitSeconds: number;
}

interface DbResult {
  db: BenchDb;
  runs: Run[];
  rowsPerS: number;
  sbomsPerS: number;
  limitRowsPerS: number;
  ratio: number;
  serverRssMb: number;
  clientRssMb: number;
  /** Median CPU milliseconds an SBOM cost the server (all threads) and the CLI. */
  serverCpuMsPerSbom: number;
  clientCpuMsPerSbom: number;
}

await main().catch((e: unknown) => {
  say(`ingest bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
});

async function main(): Promise<void> {
  for (const k of ['runs', 'sboms'] as const) {
    if (!Number.isInteger(OPTS[k]) || OPTS[k] < 1) throw new Error(`--${k} must be 1 or more`);
  }
  if (OPTS.build) buildDist(ROOT, OUT);
  const work = mkdtempSync(join(tmpdir(), 'custody-bench-ingest-'));
  try {
    const { dir, components } = makeSboms(work);
    say(`${OPTS.sboms} SBOMs of ${components} components from ${basename(OPTS.lockfile)}`);
    const dbs = OPTS.db === 'both' ? (['sqlite', 'postgres'] as const) : ([OPTS.db] as const);
    const results: DbResult[] = [];
    for (const db of dbs) {
      const runs: Run[] = [];
      for (let i = 0; i < OPTS.runs; i++) {
        const r = await runOnce(db, dir);
        say(
          `${db} run ${i + 1}: ${r.rows} rows in ${r.seconds.toFixed(2)} s = ${fmt(r.rows / r.seconds)} rows/s; limit ${fmt(r.rows / r.limitSeconds)} rows/s; RSS server ${r.serverRssMb} MB, client ${r.clientRssMb} MB; CPU server ${r.serverCpuS.toFixed(2)} s, client ${r.clientCpuS.toFixed(2)} s`,
        );
        runs.push(r);
      }
      const rowsPerS = median(runs.map((r) => r.rows / r.seconds));
      const limitRowsPerS = median(runs.map((r) => r.rows / r.limitSeconds));
      results.push({
        db,
        runs,
        rowsPerS,
        sbomsPerS: median(runs.map((r) => r.sboms / r.seconds)),
        limitRowsPerS,
        ratio: rowsPerS / limitRowsPerS,
        serverRssMb: Math.max(...runs.map((r) => r.serverRssMb)),
        clientRssMb: Math.max(...runs.map((r) => r.clientRssMb)),
        serverCpuMsPerSbom: median(runs.map((r) => (r.serverCpuS * 1000) / r.sboms)),
        clientCpuMsPerSbom: median(runs.map((r) => (r.clientCpuS * 1000) / r.sboms)),
      });
    }
    report(results, components);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `--sboms` distinct documents of one real project: subject version and serial number differ. */
function makeSboms(work: string): { dir: string; components: number } {
  const project = join(work, 'project');
  mkdirSync(project);
  const name = basename(OPTS.lockfile).endsWith('.lock')
    ? 'yarn.lock'
    : basename(OPTS.lockfile).includes('pnpm')
      ? 'pnpm-lock.yaml'
      : 'package-lock.json';
  writeFileSync(join(project, name), readFileSync(OPTS.lockfile));
  const base = join(work, 'base.cdx.json');
  const r = spawnSync(process.execPath, [OPTS.cli, 'sbom', 'generate', project, '-o', base], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`custody sbom generate failed: ${r.stderr}`);
  const doc = JSON.parse(readFileSync(base, 'utf8')) as {
    serialNumber?: string;
    metadata: { component: { name: string; version?: string; purl?: string } };
    components: unknown[];
  };
  const dir = join(work, 'sboms');
  mkdirSync(dir);
  const subject = doc.metadata.component;
  const purlBase = subject.purl?.replace(/@[^@]*$/, '');
  for (let i = 0; i < OPTS.sboms; i++) {
    const version = `1.${i}.0`;
    subject.version = version;
    if (purlBase) subject.purl = `${purlBase}@${version}`;
    doc.serialNumber = `urn:uuid:${randomUUID()}`;
    writeFileSync(join(dir, `sbom-${String(i).padStart(3, '0')}.cdx.json`), JSON.stringify(doc));
  }
  return { dir, components: doc.components.length };
}

async function runOnce(db: BenchDb, dir: string): Promise<Run> {
  const svc = {
    root: ROOT,
    cli: OPTS.cli,
    pgUrl: OPTS.pgUrl,
    pgDb: PG_DB,
    name: 'ingest',
    out: OUT,
    nodeArgs: OPTS.serverNodeArgs,
  };
  const s = await startService(db, svc);
  try {
    const cpu0 = cpuSeconds(s.process.pid as number);
    const t0 = performance.now();
    const push = await runCli(s, dir);
    const seconds = (performance.now() - t0) / 1000;
    const serverCpuS = cpuSeconds(s.process.pid as number) - cpu0;
    const serverRssMb = peakRssMb(s.process.pid as number);
    const rows = push.stored.reduce((n, c) => n + c, 0);
    const sboms = push.stored.length;
    if (sboms !== OPTS.sboms) {
      throw new Error(`only ${sboms} of ${OPTS.sboms} SBOMs stored: ${push.stderr.slice(0, 500)}`);
    }
    const limitSeconds = db === 'sqlite' ? sqliteLimit(s) : await postgresLimit(s);
    return {
      seconds,
      rows,
      sboms,
      serverRssMb,
      clientRssMb: push.rssMb,
      serverCpuS,
      clientCpuS: push.cpuS,
      limitSeconds,
    };
  } finally {
    await stopService(s, { keep: false, pgUrl: OPTS.pgUrl, pgDb: PG_DB, out: OUT });
  }
}

/**
 * `custody push sbom <dir>` under /usr/bin/time (the client's peak RSS and CPU), printing what a
 * user sees; the component counts of the SBOMs stored are read from its lines.
 */
async function runCli(
  s: RunningService,
  dir: string,
): Promise<{ stored: number[]; stderr: string; rssMb: number; cpuS: number }> {
  const args = [OPTS.cli, 'push', 'sbom', dir, '--url', s.base, '--token', s.token];
  const child = spawn(
    '/usr/bin/time',
    ['-f', 'maxrss=%M cpu=%U+%S', process.execPath, ...OPTS.clientNodeArgs, ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => {
    stdout += b;
  });
  child.stderr.on('data', (b: Buffer) => {
    stderr += b;
  });
  const code = await new Promise<number | null>((res) => child.on('exit', res));
  if (code !== 0) throw new Error(`custody push sbom exited ${code}: ${stderr.slice(0, 1000)}`);
  const rss = /maxrss=(\d+)/.exec(stderr);
  const cpu = /cpu=([\d.]+)\+([\d.]+)/.exec(stderr);
  return {
    cpuS: cpu ? Number(cpu[1]) + Number(cpu[2]) : Number.NaN,
    stored: [...stdout.matchAll(/^stored {2}.* \((\d+) components, /gm)].map((m) => Number(m[1])),
    stderr,
    rssMb: rss ? Math.round(Number(rss[1]) / 1024) : Number.NaN,
  };
}

/** User + system CPU seconds of a live process, all its threads (/proc/<pid>/stat). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Peak RSS of a live process (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : Number.NaN;
}

/**
 * The service's stored index rows inserted again into empty copies of the index tables (same
 * definitions and indexes, same pragmas), prepared multi-row INSERTs in one transaction: seconds.
 */
function sqliteLimit(s: RunningService): number {
  const Database = createRequire(join(ROOT, 'package.json'))(
    'better-sqlite3',
  ) as typeof import('better-sqlite3');
  const file = findSqliteFile(s.dataDir);
  const src = new Database(file, { readonly: true });
  const ddl = src
    .prepare(
      `select sql from sqlite_master where tbl_name in (${INDEX_TABLES.map(() => '?').join(',')}) and sql is not null order by type desc`,
    )
    .all(...INDEX_TABLES) as { sql: string }[];
  const data = INDEX_TABLES.map((t) => ({
    table: t,
    rows: src.prepare(`select * from ${t}`).raw().all() as unknown[][],
  }));
  src.close();
  const dst = new Database(join(s.dataDir, 'limit.db'));
  dst.pragma('journal_mode = WAL');
  dst.pragma('synchronous = FULL');
  dst.pragma('cache_size = -131072');
  for (const d of ddl) dst.exec(d.sql);
  const t0 = performance.now();
  dst.transaction(() => {
    for (const { table, rows } of data) {
      if (rows.length === 0) continue;
      const width = (rows[0] as unknown[]).length;
      const per = Math.floor(32_766 / width);
      const placeholders = (n: number) =>
        Array.from({ length: n }, () => `(${Array(width).fill('?').join(',')})`).join(',');
      const full = dst.prepare(`insert into ${table} values ${placeholders(per)}`);
      for (let i = 0; i < rows.length; i += per) {
        const chunk = rows.slice(i, i + per);
        const st =
          chunk.length === per
            ? full
            : dst.prepare(`insert into ${table} values ${placeholders(chunk.length)}`);
        st.run(...chunk.flat());
      }
    }
  })();
  const seconds = (performance.now() - t0) / 1000;
  dst.close();
  return seconds;
}

/** The same on PostgreSQL: LIKE … INCLUDING ALL copies, one INSERT … SELECT FROM unnest per table. */
async function postgresLimit(s: RunningService): Promise<number> {
  return withPgClient(s.databaseUrl as string, async (q) => {
    await q('CREATE SCHEMA bench_limit');
    for (const t of INDEX_TABLES) {
      await q(`CREATE TABLE bench_limit.${t} (LIKE public.${t} INCLUDING ALL)`);
    }
    const data: { table: string; cols: { name: string; type: string }[]; rows: unknown[][] }[] = [];
    for (const t of INDEX_TABLES) {
      const cols = (
        await q(
          `SELECT column_name AS name, format_type(a.atttypid, a.atttypmod) AS type
             FROM information_schema.columns c JOIN pg_attribute a
               ON a.attrelid = ('public.' || c.table_name)::regclass AND a.attname = c.column_name
            WHERE c.table_schema = 'public' AND c.table_name = $1 ORDER BY c.ordinal_position`,
          [t],
        )
      ).rows as { name: string; type: string }[];
      const rows = (await q(`SELECT * FROM public.${t}`)).rows as Record<string, unknown>[];
      data.push({ table: t, cols, rows: rows.map((r) => cols.map((c) => r[c.name])) });
    }
    const t0 = performance.now();
    await q('BEGIN');
    for (const { table, cols, rows } of data) {
      const per = 20_000;
      for (let i = 0; i < rows.length; i += per) {
        const chunk = rows.slice(i, i + per);
        const arrays = cols.map((_, k) => chunk.map((r) => r[k]));
        await q(
          `INSERT INTO bench_limit.${table} (${cols.map((c) => c.name).join(',')}) SELECT * FROM unnest(${cols.map((c, k) => `$${k + 1}::${c.type}[]`).join(',')})`,
          arrays,
        );
      }
    }
    await q('COMMIT');
    return (performance.now() - t0) / 1000;
  });
}

function findSqliteFile(dir: string): string {
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && /\.(?:db|sqlite3?)$/.test(e.name) && e.name !== 'limit.db') {
      return join(e.parentPath, e.name);
    }
  }
  throw new Error(`no SQLite database under ${dir}`);
}

function report(results: DbResult[], components: number): void {
  if (OPTS.json) {
    process.stdout.write(`${JSON.stringify({ options: OPTS, components, results }, null, 2)}\n`);
    return;
  }
  const lines = [
    '',
    `custody push sbom <dir> → custody serve: ${OPTS.sboms} SBOMs × ${components} components, median of ${OPTS.runs} run(s)`,
    '| db | rows/s | SBOMs/s | raw insert limit rows/s | of limit | target | server RSS | client RSS | CPU/SBOM server + CLI |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.db} | ${fmt(r.rowsPerS)} | ${r.sbomsPerS.toFixed(1)} | ${fmt(r.limitRowsPerS)} | ${(r.ratio * 100).toFixed(0)} % | ≥ ${fmt(TARGET_ROWS_PER_S[r.db])} ${r.rowsPerS >= TARGET_ROWS_PER_S[r.db] ? 'met' : 'NOT met'} | ${r.serverRssMb} MB | ${r.clientRssMb} MB | ${r.serverCpuMsPerSbom.toFixed(0)} + ${r.clientCpuMsPerSbom.toFixed(0)} ms |`,
    ),
    '(no runnable peer: Dependency-Track needs a JVM and is not installed; the limit is the same index rows inserted raw)',
    '(CPU per SBOM on 2 cores bounds the rate: rows/s ≤ components × 2 cores / (server + CLI CPU per SBOM))',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
