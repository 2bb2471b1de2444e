/**
 * npm run bench -- jobs [--jobs 10000] [--runs 3] [--releases 10000] [--no-pg] [--no-serve]
 *   [--no-build]
 *
 * The job queue (store/jobs) as the service uses it. Not a test; nothing here asserts a time.
 *
 * 1. Claiming: `--jobs` jobs enqueued on a fresh store, then one worker claims and completes them
 *    all with a handler that does nothing (the start-up sweep's shape: a backlog worked off back to
 *    back). Claims/s, ms per claim (wall and this process's CPU), for the in-process runner on
 *    SQLite and for pg-boss 10 on PostgreSQL side by side (pg-boss is what a user would otherwise
 *    reach for; its CPU is mostly the database server's, so only its wall figure compares). Each
 *    driver runs in a child process of its own, so its peak RSS is its own.
 * 2. Start-up with a backlog: `custody serve` (bin/custody.js on dist/) on a SQLite store seeded
 *    with `--releases` releases (bench/_seed-portfolio.ts: 95% of them with an SBOM) whose SBOMs
 *    were never matched, so the start-up sweep queues one matching job per SBOM. Time from spawn
 *    to the first /healthz 200, the slowest /healthz answer while the backlog is worked off, and
 *    when the last SBOM was matched; beside it, the same store with every SBOM matched (nothing
 *    to sweep) — the start the backlog must not delay.
 *
 * Median of `--runs` runs; peak RSS (VmHWM) of each process measured.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { openServices } from '../src/app/services.js';
import { openJobQueue } from '../src/store/jobs/index.js';
import { fmtMs, median } from './_harness.js';
import { freshPgSchema } from './_pg-schema.js';
import { seedPortfolio } from './_seed-portfolio.js';
import { buildDist, stderrOut } from './_service.js';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? fallback) : fallback;
};
const JOBS = Number(arg('jobs', '10000'));
const RUNS = Number(arg('runs', '3'));
const RELEASES = Number(arg('releases', '10000'));
const out = stderrOut();

interface ClaimRun {
  enqueueMs: number;
  drainMs: number;
  cpuMs: number;
}

/** One driver's runs, in this (child) process. */
async function claimRuns(driver: 'sqlite' | 'pg-boss'): Promise<void> {
  const runs: ClaimRun[] = [];
  for (let r = 0; r < RUNS; r++) {
    const dir = mkdtempSync(join(tmpdir(), 'custody-bench-jobs-'));
    const databaseUrl = driver === 'pg-boss' ? await freshPgSchema(`bench_jobs_${r}`) : undefined;
    const s = await openServices({ dataDir: dir, databaseUrl, tlog: false });
    const q = await openJobQueue(s.db, { databaseUrl, pollMs: driver === 'sqlite' ? 250 : 500 });
    try {
      const once = { retryLimit: 0, retryBackoff: false };
      let t = performance.now();
      for (let i = 0; i < JOBS; i++) await q.enqueue('bench-claim', { i }, once);
      const enqueueMs = performance.now() - t;
      let done = 0;
      let finished: () => void = () => {};
      const all = new Promise<void>((res) => {
        finished = res;
      });
      const cpu = process.cpuUsage();
      t = performance.now();
      await q.work('bench-claim', async () => {
        if (++done === JOBS) finished();
      });
      await all;
      // The last job's completion is written after its handler returns: stop waits for it.
      await q.stop();
      const drainMs = performance.now() - t;
      const c = process.cpuUsage(cpu);
      runs.push({ enqueueMs, drainMs, cpuMs: (c.user + c.system) / 1000 });
    } finally {
      await q.stop();
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  process.stdout.write(
    `${JSON.stringify({ driver, runs, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
  );
}

function claimFigures(driver: 'sqlite' | 'pg-boss') {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bench/jobs.ts'), '--child', driver, ...argv],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (r.status !== 0) throw new Error(`the ${driver} run failed`);
  const j = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as {
    driver: string;
    runs: ClaimRun[];
    peakRssMb: number;
  };
  const drain = median(j.runs.map((x) => x.drainMs));
  return {
    driver,
    perClaimMs: drain / JOBS,
    claimsPerS: (JOBS * 1000) / drain,
    cpuPerClaimMs: median(j.runs.map((x) => x.cpuMs)) / JOBS,
    enqueuePerS: (JOBS * 1000) / median(j.runs.map((x) => x.enqueueMs)),
    runs: j.runs.map((x) => x.drainMs),
    peakRssMb: j.peakRssMb,
  };
}

/** Seed a store once (SQLite), its SBOMs matched or not; each run gets a copy. */
async function seededStore(unmatched: boolean): Promise<{ dir: string; sboms: number }> {
  const dir = mkdtempSync(join(tmpdir(), `custody-bench-jobs-${unmatched ? 'un' : ''}matched-`));
  const s = await openServices({ dataDir: dir, tlog: false });
  await seedPortfolio(s, { releases: RELEASES, unmatched });
  const sboms = Number(
    (
      await s.db.kysely
        .selectFrom('sboms')
        .select((e) => e.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  await s.close();
  return { dir, sboms };
}

interface StartRun {
  listenMs: number;
  healthzMs: number;
  /** The slowest /healthz answer while the backlog was worked off. */
  worstHealthzMs: number;
  /** When every SBOM had been matched (NaN: not within the limit). */
  matchedMs: number;
  peakRssMb: number;
}

async function startRun(seed: string, sboms: number): Promise<StartRun> {
  const dir = mkdtempSync(join(tmpdir(), 'custody-bench-jobs-serve-'));
  cpSync(seed, dir, { recursive: true });
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin', 'custody.js'), 'serve', '--data-dir', dir, '--listen', '127.0.0.1:0'],
    {
      cwd: ROOT,
      env: { ...process.env, CUSTODY_DATABASE_URL: '', CUSTODY_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  try {
    const url = await listening(child, 120_000);
    const listenMs = performance.now() - t0;
    for (;;) {
      const r = await fetch(`${url}/healthz`).catch(() => undefined);
      if (r?.status === 200) break;
      await new Promise((res) => setTimeout(res, 10));
    }
    const healthzMs = performance.now() - t0;
    const db = new Database(join(dir, 'custody.db'), { readonly: true });
    const matched = db.prepare('select count(*) as n from vuln_sbom_scans');
    let worst = 0;
    let matchedMs = Number.NaN;
    const until = performance.now() + 180_000;
    while (performance.now() < until) {
      const t = performance.now();
      const r = await fetch(`${url}/healthz`);
      await r.arrayBuffer();
      worst = Math.max(worst, performance.now() - t);
      if ((matched.get() as { n: number }).n >= sboms) {
        matchedMs = performance.now() - t0;
        break;
      }
      await new Promise((res) => setTimeout(res, 50));
    }
    db.close();
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const peakRssMb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
    return { listenMs, healthzMs, worstHealthzMs: worst, matchedMs, peakRssMb };
  } finally {
    if (child.exitCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function listening(child: ChildProcess, ms: number): Promise<string> {
  let err = '';
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`serve did not listen within ${ms} ms`)), ms);
    child.stderr?.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /Custody is listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        res(m[1] as string);
      }
    });
    child.once('exit', (code) => rej(new Error(`serve exited with ${code}: ${err.slice(-2000)}`)));
  });
}

const child = arg('child', '');
if (child === 'sqlite' || child === 'pg-boss') {
  await claimRuns(child);
  process.exit(0);
}

const f2 = (x: number) => x.toFixed(3);
if (!argv.includes('--no-build')) buildDist(ROOT, out);
console.log(
  `job claiming: ${JOBS} jobs enqueued, then claimed and completed back to back by one worker, median of ${RUNS} runs`,
);
const claims = [claimFigures('sqlite')];
if (!argv.includes('--no-pg')) claims.push(claimFigures('pg-boss'));
for (const c of claims)
  console.log(
    `  ${c.driver.padEnd(8)} ${c.claimsPerS.toFixed(0).padStart(6)} claims/s  ${f2(c.perClaimMs)} ms/claim (CPU of this process ${f2(c.cpuPerClaimMs)} ms)  enqueue ${c.enqueuePerS.toFixed(0)}/s  peak RSS ${c.peakRssMb.toFixed(0)} MB  (runs: ${c.runs.map(fmtMs).join(', ')})`,
  );
const [sq, pb] = claims;
if (sq && pb)
  console.log(
    `  SQLite runner vs pg-boss: ${(sq.claimsPerS / pb.claimsPerS).toFixed(1)}× the claims/s`,
  );

if (!argv.includes('--no-serve')) {
  out.say(`seeding two stores of ${RELEASES} releases (unmatched, matched)…`);
  const un = await seededStore(true);
  const ma = await seededStore(false);
  try {
    const rows: [string, StartRun[]][] = [];
    const a: StartRun[] = [];
    const b: StartRun[] = [];
    for (let r = 0; r < RUNS; r++) {
      // Alternating, so the machine's load falls on both alike.
      a.push(await startRun(un.dir, un.sboms));
      b.push(await startRun(ma.dir, ma.sboms));
    }
    rows.push([`${un.sboms} SBOMs never matched`, a], [`${ma.sboms} SBOMs all matched`, b]);
    console.log(`custody serve start (SQLite, ${RELEASES} releases), median of ${RUNS} runs:`);
    for (const [name, rs] of rows) {
      const m = (k: keyof StartRun) => median(rs.map((x) => x[k]));
      console.log(
        `  ${name.padEnd(28)} listening ${fmtMs(m('listenMs'))}, first /healthz 200 ${fmtMs(m('healthzMs'))}, slowest /healthz during the sweep ${fmtMs(m('worstHealthzMs'))}, all matched ${fmtMs(m('matchedMs'))}, peak RSS ${m('peakRssMb').toFixed(0)} MB`,
      );
    }
    const h = (rs: StartRun[]) => median(rs.map((x) => x.healthzMs));
    console.log(`  first /healthz with the backlog vs without: ${(h(a) / h(b)).toFixed(2)}×`);
  } finally {
    rmSync(un.dir, { recursive: true, force: true });
    rmSync(ma.dir, { recursive: true, force: true });
  }
}
