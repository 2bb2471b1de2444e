#!/usr/bin/env node
// Node 20's --test takes no glob: list test files ourselves and hand them to node's runner via tsx.
// Usage: npm test [-- <path filter>...]   e.g. npm test -- sbom/catalogers
//        npm run test:coverage [-- <path filter>...]   the same, with node's own coverage of src/
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const coverage = args.includes('--coverage');
const filters = args.filter((a) => a !== '--coverage');

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'fixtures' || name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = walk(join(root, 'test'))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(2);
}
// Test files run in child processes, this many at a time (CUSTODY_TEST_CONCURRENCY, default 2):
// most of a file's time is spent waiting on child processes, servers and the database, so two
// files share two cores well. Files keep their data apart (private schemas, temporary dirs, port 0).
const concurrency = Number(process.env.CUSTODY_TEST_CONCURRENCY ?? 2);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error('CUSTODY_TEST_CONCURRENCY must be a whole number of at least 1');
  process.exit(2);
}
const lcovFile = join(root, 'coverage', 'lcov.info');
// Node 20's coverage has no include filter: write lcov for everything, then sum up src/ below.
const coverageArgs = coverage
  ? [
      '--experimental-test-coverage',
      '--test-reporter=lcov',
      `--test-reporter-destination=${lcovFile}`,
    ]
  : [];
if (coverage) mkdirSync(join(root, 'coverage'), { recursive: true });
// Groups skipped for a missing tool (test/pkcs11/softhsm.ts) write a line here: node's summary
// does not count skipped groups, so this script does, below.
const skipDir = mkdtempSync(join(tmpdir(), 'custody-test-skips-'));
const skipReport = join(skipDir, 'skips.tsv');
const r = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    ...coverageArgs,
    ...files,
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'test', CUSTODY_TEST_SKIP_REPORT: skipReport },
  },
);
summariseSkips();
if (coverage) summariseCoverage();
process.exit(r.status ?? 1);

/** Prints the test files whose groups skipped because a tool is missing, with the reason. */
function summariseSkips() {
  let lines = [];
  try {
    lines = readFileSync(skipReport, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
  } catch {
    // no file: nothing skipped
  }
  rmSync(skipDir, { recursive: true, force: true });
  const byReason = new Map();
  for (const line of lines) {
    const [file, reason] = line.split('\t');
    byReason.set(reason, [...(byReason.get(reason) ?? []), relative(root, file)]);
  }
  console.log(`ℹ skipped test files (missing tools) ${lines.length}`);
  for (const [reason, skipped] of byReason)
    console.log(`ℹ   ${reason}: ${[...new Set(skipped)].sort().join(', ')}`);
}

/** Line and branch coverage of src/, in all and per top-level folder, from node's lcov output. */
function summariseCoverage() {
  const folders = new Map();
  let file;
  for (const line of readFileSync(lcovFile, 'utf8').split('\n')) {
    if (line.startsWith('SF:')) {
      const rel = relative(root, line.slice(3));
      file = rel.startsWith('src/') ? rel.split('/').slice(0, 2).join('/') : undefined;
      if (file && !folders.has(file)) folders.set(file, { lh: 0, lf: 0, bh: 0, bf: 0 });
    } else if (file) {
      const [key, value] = line.split(':');
      const f = folders.get(file);
      if (key === 'LH') f.lh += Number(value);
      else if (key === 'LF') f.lf += Number(value);
      else if (key === 'BRH') f.bh += Number(value);
      else if (key === 'BRF') f.bf += Number(value);
    }
  }
  const pct = (h, n) => (n === 0 ? '   -  ' : `${((100 * h) / n).toFixed(1).padStart(5)}%`);
  const total = { lh: 0, lf: 0, bh: 0, bf: 0 };
  console.log('\ncoverage of src/ (lines, branches):');
  for (const [name, f] of [...folders].sort()) {
    for (const k of Object.keys(total)) total[k] += f[k];
    console.log(`  ${name.padEnd(20)} ${pct(f.lh, f.lf)}  ${pct(f.bh, f.bf)}`);
  }
  console.log(`  ${'all'.padEnd(20)} ${pct(total.lh, total.lf)}  ${pct(total.bh, total.bf)}`);
  console.log(`lcov: ${relative(root, lcovFile)}`);
}
