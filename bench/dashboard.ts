/**
 * The dashboard's first view with a large portfolio (issue [10]): `npm run bench -- dashboard
 * [--releases 10000] [--runs 5] [--keep]`. Not a test; nothing here asserts a time.
 *
 * 1. A fresh `custody serve` on SQLite applies the migrations and makes a team; it is stopped and
 *    `--releases` releases (one artifact and one current SBOM row each, spread over 20 teams and
 *    500 products, some deployed, signed or old) are written straight into its database — the
 *    portfolio listing reads rows, not documents, so no SBOM bytes are needed.
 * 2. The service starts again; Debian's chromium opens the portfolio with the admin token already
 *    in the tab's session storage, `--runs` times, each in a fresh tab.
 * 3. The time to the first view is the page's own performance mark `custody:first-view` (set
 *    once the overview figures and the first page of the releases table are rendered), measured
 *    from navigation start. The median is printed with each API call's size and time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { launchBrowser } from '../test/helpers/browser.js';
import { REPO_ROOT } from '../test/helpers/conformance.js';
import { serveProcess } from '../test/helpers/serve-process.js';
import { printedToken } from '../test/web/seed.js';
import { fmtMs, median } from './_harness.js';

const { values: args } = parseArgs({
  options: {
    releases: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
  },
});
const RELEASES = Number(args.releases);
const RUNS = Number(args.runs);
const TEAMS = 20;
const PRODUCTS = 500;

function seed(dbFile: string): void {
  const db = new Database(dbFile);
  const now = Date.now();
  const iso = (daysAgo: number) => new Date(now - daysAgo * 86_400_000).toISOString();
  db.transaction(() => {
    const team = db.prepare('insert into teams (name, created_at) values (?, ?)');
    for (let t = 0; t < TEAMS; t++) team.run(`team-${t}`, iso(400));
    const teamIds = (db.prepare('select id from teams order by id').all() as { id: number }[]).map(
      (r) => r.id,
    );
    const product = db.prepare('insert into products (team_id, name, created_at) values (?, ?, ?)');
    for (let p = 0; p < PRODUCTS; p++)
      product.run(teamIds[p % teamIds.length], `product-${p}`, iso(400));
    const products = db.prepare('select id, team_id from products order by id').all() as {
      id: number;
      team_id: number;
    }[];
    const release = db.prepare(
      'insert into releases (product_id, version, created_at, deployed) values (?, ?, ?, ?)',
    );
    const artifact = db.prepare(
      'insert into artifacts (release_id, digest, name, created_at) values (?, ?, ?, ?)',
    );
    const sbom =
      db.prepare(`insert into sboms (artifact_id, release_id, product_id, team_id, digest,
      format, spec_version, media_type, size, version_no, current, quality_score, component_count,
      signed, created_at, created_by) values (?, ?, ?, ?, ?, 'cyclonedx', '1.6',
      'application/vnd.cyclonedx+json', 1000, 1, 1, ?, 200, ?, ?, 'bench')`);
    const scan = db.prepare(
      'insert into vuln_sbom_scans (sbom_id, matched_at, findings) values (?, ?, 0)',
    );
    for (let i = 0; i < RELEASES; i++) {
      const p = products[i % products.length] as { id: number; team_id: number };
      const age = (i * 7) % 365;
      const rel = release.run(
        p.id,
        `1.${Math.floor(i / products.length)}.0`,
        iso(age),
        i % 3 === 0 ? 1 : 0,
      );
      const digest = `sha256:${i.toString(16).padStart(64, '0')}`;
      const art = artifact.run(
        rel.lastInsertRowid,
        digest,
        `pkg:oci/product-${i % products.length}`,
        iso(age),
      );
      if (i % 10 !== 0) {
        const s = sbom.run(
          art.lastInsertRowid,
          rel.lastInsertRowid,
          p.id,
          p.team_id,
          digest,
          5 + (i % 50) / 10,
          i % 2,
          iso(age),
        );
        // Matched, as ingest leaves an SBOM: otherwise the start-up sweep queues a matching job
        // for each of them and the service starts (and answers the page) while working those off.
        scan.run(s.lastInsertRowid, iso(age));
      }
    }
  })();
  db.close();
}

/**
 * `custody serve` as users run it (bin/custody.js on the build in dist/, which the page needs
 * anyway), waiting up to `ms` for it to listen.
 */
function serveWithin(dir: string, ms: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'custody.js'), 'serve', '--data-dir', dir, '--listen', '127.0.0.1:0'],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, CUSTODY_DATABASE_URL: '', CUSTODY_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve did not start within ${ms} ms: ${err}`)),
      ms,
    );
    child.stderr?.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /Custody is listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1] as string, child });
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'custody-bench-dashboard-'));
let served: { url: string; child: ChildProcess } | undefined;
try {
  console.error(`starting custody serve, then seeding ${RELEASES} releases in ${dataDir}…`);
  const first = await serveProcess(dataDir);
  const token = await printedToken(first);
  first.child.kill('SIGTERM');
  await first.exit;
  seed(join(dataDir, 'custody.db'));
  console.error('seeded; starting custody serve again…');
  if (process.env['BENCH_SEED_ONLY']) process.exit(0);
  const t0 = performance.now();
  served = await serveWithin(dataDir, 300_000);
  console.error(
    `custody serve listening after ${fmtMs(performance.now() - t0)} with ${RELEASES} releases`,
  );
  const browser = await launchBrowser();
  const times: number[] = [];
  let calls: { name: string; bytes: number; ms: number }[] = [];
  for (let run = 0; run < RUNS; run++) {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.addInitScript(`sessionStorage.setItem('custody.token', ${JSON.stringify(token)})`);
    await page.goto(served.url);
    // Polled with evaluate: the service's CSP (script-src 'self') refuses waitForFunction's eval.
    const deadline = Date.now() + 60_000;
    while (
      !(await page.evaluate<boolean>(
        "performance.getEntriesByName('custody:first-view').length > 0",
      ))
    ) {
      if (Date.now() > deadline) throw new Error('the first view did not render within 60 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    times.push(
      await page.evaluate<number>(
        "performance.getEntriesByName('custody:first-view')[0].startTime",
      ),
    );
    calls = await page.evaluate<{ name: string; bytes: number; ms: number }[]>(
      `performance.getEntriesByType('resource').map((e) => ({ name: e.name.replace(location.origin, ''),
        bytes: e.encodedBodySize, ms: e.duration }))`,
    );
    await page.close();
  }
  await browser.close();
  console.log(
    `dashboard first view, ${RELEASES} releases, ${RUNS} runs (chromium, loopback, SQLite):`,
  );
  console.log(`  median ${fmtMs(median(times))}  (runs: ${times.map(fmtMs).join(', ')})`);
  console.log('  requests of the last run:');
  for (const c of calls)
    console.log(`    ${c.name.padEnd(60)} ${String(c.bytes).padStart(8)} B  ${fmtMs(c.ms)}`);
  console.log(`  (web bundle in ${join(REPO_ROOT, 'dist/web')}; rebuild with npm run build)`);
} finally {
  if (served && served.child.exitCode === null) {
    const exited = once(served.child, 'exit');
    served.child.kill('SIGTERM');
    await exited;
  }
  if (args.keep) console.error(`kept ${dataDir}`);
  else rmSync(dataDir, { recursive: true, force: true });
}
