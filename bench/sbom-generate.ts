/**
 * npm run bench -- sbom-generate [--runs N] [--flink-only]
 *
 * Whole-process time to produce a CycloneDX SBOM from a package-lock.json, Custody side by side
 * with `npm sbom --package-lock-only` and `cyclonedx-npm --package-lock-only`, on the real
 * flink-dashboard lockfile and on a synthetic 20,000-package lockfile. Component counts are
 * compared so that nobody wins by reading less. Custody runs as users run it: `node
 * bin/custody.js` (the bundle `npm run build` makes). On flink-dashboard the three run in turns
 * (median of N each after a warm-up, peak RSS of one more run); --flink-only skips the synthetic
 * case, whose peers take minutes.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { alternate, fmtRss } from './_alternate.js';
import { generatePackageLock } from './_gen-package-lock.js';
import { fmtMs, type Measured, timeProcess } from './_harness.js';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const FLINK_ONLY = process.argv.includes('--flink-only');
/** The peers take minutes on 20,000 packages: one run each, and a ceiling. */
const PEER_TIMEOUT_MS = 420_000;

function countComponents(stdout: string): number {
  const doc = JSON.parse(stdout) as { components?: unknown[] };
  return doc.components?.length ?? 0;
}

function project(name: string, lock: string, pkg: string): string {
  const dir = mkdtempSync(join(tmpdir(), `custody-bench-${name}-`));
  writeFileSync(join(dir, 'package-lock.json'), lock);
  writeFileSync(join(dir, 'package.json'), pkg);
  return dir;
}

function flinkProject(): string {
  const src = resolve(
    ROOT,
    '../shared/conformance/lockfiles/npm/cdxgen__flink-dashboard.package-lock.v2.json',
  );
  const lock = JSON.parse(readFileSync(src, 'utf8')) as {
    packages: Record<
      string,
      { name?: string; version?: string; dependencies?: unknown; devDependencies?: unknown }
    >;
  };
  const root = lock.packages[''] ?? {};
  const pkg = {
    name: root.name ?? 'flink-dashboard',
    version: root.version ?? '0.0.0',
    dependencies: root.dependencies ?? {},
    devDependencies: root.devDependencies ?? {},
  };
  const dir = mkdtempSync(join(tmpdir(), 'custody-bench-flink-'));
  mkdirSync(dir, { recursive: true });
  copyFileSync(src, join(dir, 'package-lock.json'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  return dir;
}

function runCase(label: string, dir: string, peerRuns = RUNS): void {
  const counts: Record<string, number> = {};
  const check = (tool: string) => (stdout: string) => {
    counts[tool] = countComponents(stdout);
    return undefined;
  };
  const results: Measured[] = [
    timeProcess(
      'custody',
      process.execPath,
      [join(ROOT, 'bin/custody.js'), 'sbom', 'generate', dir],
      {
        cwd: dir,
        runs: RUNS,
        check: check('custody'),
      },
    ),
    timeProcess('npm sbom', 'npm', ['sbom', '--package-lock-only', '--sbom-format', 'cyclonedx'], {
      cwd: dir,
      runs: peerRuns,
      noWarmup: peerRuns < RUNS,
      timeoutMs: PEER_TIMEOUT_MS,
      check: check('npm sbom'),
    }),
    timeProcess(
      'cyclonedx-npm',
      process.execPath,
      [
        join(ROOT, 'node_modules/@cyclonedx/cyclonedx-npm/bin/cyclonedx-npm-cli.js'),
        '--package-lock-only',
        '--output-format',
        'JSON',
      ],
      {
        cwd: dir,
        runs: peerRuns,
        noWarmup: peerRuns < RUNS,
        timeoutMs: PEER_TIMEOUT_MS,
        check: check('cyclonedx-npm'),
      },
    ),
  ];
  const custody = results[0] as Measured;
  const peers = results.slice(1).filter((r) => r.ok);
  const fastestPeer = peers.sort((a, b) => a.medianMs - b.medianMs)[0];
  console.log(`\n## ${label}  (custody: median of ${RUNS} whole-process runs after a warm-up)`);
  for (const r of results) {
    const count = counts[r.name];
    console.log(
      `  ${r.name.padEnd(14)} ${r.ok ? fmtMs(r.medianMs).padStart(9) : 'failed'.padStart(9)}  components=${count ?? '-'}${r.note ? `  (${r.note})` : ''}`,
    );
  }
  if (fastestPeer) {
    console.log(
      `  ratio: custody is ${(fastestPeer.medianMs / custody.medianMs).toFixed(1)}x faster than ${fastestPeer.name} (target >= 5x)`,
    );
  } else if (results.some((r) => r.note?.startsWith('did not finish'))) {
    console.log(
      `  ratio: no peer finished within ${PEER_TIMEOUT_MS / 1000} s: custody is > ${(PEER_TIMEOUT_MS / custody.medianMs).toFixed(0)}x faster`,
    );
  } else {
    console.log('  ratio: no peer finished on this input');
  }
}

/** The real lockfile: the three tools in turns, so that a busy moment lands on all alike. */
function runAlternating(label: string, dir: string): void {
  const counts: Record<string, number> = {};
  const check = (tool: string) => (stdout: string) => {
    counts[tool] = countComponents(stdout);
    return undefined;
  };
  const results = alternate(
    [
      {
        name: 'custody',
        cmd: process.execPath,
        args: [join(ROOT, 'bin/custody.js'), 'sbom', 'generate', dir],
        cwd: dir,
        check: check('custody'),
      },
      {
        name: 'npm sbom',
        cmd: 'npm',
        args: ['sbom', '--package-lock-only', '--sbom-format', 'cyclonedx'],
        cwd: dir,
        check: check('npm sbom'),
      },
      {
        name: 'cyclonedx-npm',
        cmd: process.execPath,
        args: [
          join(ROOT, 'node_modules/@cyclonedx/cyclonedx-npm/bin/cyclonedx-npm-cli.js'),
          '--package-lock-only',
          '--output-format',
          'JSON',
        ],
        cwd: dir,
        check: check('cyclonedx-npm'),
      },
    ],
    RUNS,
  );
  console.log(`\n## ${label}  (median of ${RUNS} whole-process runs in turns after a warm-up)`);
  for (const r of results) {
    console.log(
      `  ${r.name.padEnd(14)} ${fmtMs(r.medianMs).padStart(9)}  peak RSS ${fmtRss(r.peakRssKiB).padStart(7)}  components=${counts[r.name] ?? '-'}`,
    );
  }
  const [custody, ...peers] = results;
  if (!custody) return;
  for (const p of peers) {
    console.log(
      `  ratio: custody is ${(p.medianMs / custody.medianMs).toFixed(1)}x faster than ${p.name}${p.name === 'npm sbom' ? ' (target >= 5x)' : ''}`,
    );
  }
}

runAlternating('flink-dashboard package-lock.json (real, 1,467 entries)', flinkProject());
if (FLINK_ONLY) process.exit(0);
const synth = generatePackageLock(20_000);
runCase(
  'synthetic package-lock.json, 20,000 packages (target < 1 s; peers run once, no warm-up)',
  project('synth', synth.lock, synth.pkg),
  1,
);
