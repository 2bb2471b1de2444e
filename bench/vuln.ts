/**
 * npm run bench -- vuln [--components 2000] [--runs 21]
 * npm run bench -- vuln --portfolio [vuln-portfolio's options]
 *
 * `--portfolio` runs bench/vuln-portfolio.ts instead: the inventory bench's 5,000,000-row
 * portfolio in the service against all OSV data (full portfolio < 30 s; a new advisory to its
 * affected list < 1 s), SQLite and PostgreSQL; it takes tens of minutes at full size.
 *
 * A single-SBOM scan, offline: an SBOM of 2,000 real components (the packages of real lockfiles
 * in ../shared/conformance/lockfiles: npm, pnpm, yarn, Python, Go, Rust, combined and
 * de-duplicated by purl) against every OSV record of ../shared/conformance/osv (go, pypi,
 * crates-io, npm, distro). Reports loading (read + parse + check + index all records) and
 * matching apart: the first match (ranges compiled on first use) and the median of warm ones.
 * Target: match < 200 ms. Also times the whole `custody vuln match` process.
 *
 * Peer, in the same run on the same SBOM and records: "osv-offline-db lookup + semver ranges"
 * (bench/_osv-offline-peer.ts), i.e. @renovatebot/osv-offline-db, the store Renovate's
 * @renovatebot/osv-offline reads, plus the version check Renovate runs on what it returns. It is
 * not a full osv-scanner: osv-offline-db finds records by package name only, and PyPI versions
 * are compared on coerced semver, not PEP 440; distribution records are not looked up. Its
 * database (osv-offline downloads it from github.com) is written here from the same records,
 * timed apart as setup. Its first pass builds its index (reads and parses every record of the
 * ecosystems queried), so it is set beside Custody's load + first match; warm passes are set side
 * by side. Both finding counts are printed, with the (component, advisory) pairs only one of them
 * reports, per ecosystem. Without the package installed the bench says so and skips the peer.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateSbom } from '../src/app/generate-sbom.js';
import { loadAdvisories, matchSbom } from '../src/app/vuln/index.js';
import { writeCycloneDxJson } from '../src/formats/index.js';
import type { Component, SbomDocument } from '../src/sbom/index.js';
import { fmtMs, median } from './_harness.js';
import { loadPeer, PEER_NAME, peerScan, writePeerDatabase } from './_osv-offline-peer.js';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
if (process.argv.includes('--portfolio')) {
  const rest = process.argv.slice(2).filter((a) => a !== '--portfolio');
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bench/vuln-portfolio.ts'), ...rest],
    { cwd: ROOT, stdio: 'inherit' },
  );
  process.exit(r.status ?? 1);
}
const LOCKFILES = resolve(ROOT, '../shared/conformance/lockfiles');
const OSV = resolve(ROOT, '../shared/conformance/osv');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const WANT = Number(arg('--components', '2000'));
const RUNS = Number(arg('--runs', '21'));

/** Real lockfiles, largest first within each ecosystem; read until WANT distinct purls. */
const SOURCES = [
  'python/cdxgen__uv.lock',
  'python/cdxgen__poetry1.lock',
  'python/cdxgen__pdm.lock',
  'go:syft__go',
  'go:cdxgen__gomod.go',
  'rust/cdxgen__Cargom.lock',
  'rust/cdxgen__test.Cargo.lock',
  'npm/cdxgen__flink-dashboard.package-lock.v2.json',
  'npm/cdxgen__cdxgen.package-lock.v3.json',
  'pnpm/cdxgen__pnpm-lock9b.yaml',
  'yarn/cdxgen__yarnv4.lock',
  'npm/cdxgen__v2-workspace.package-lock.json',
];

async function buildSbom(): Promise<{
  document: SbomDocument;
  perEcosystem: Record<string, number>;
}> {
  const seen = new Set<string>();
  const components: Component[] = [];
  for (const rel of SOURCES) {
    const path = rel.startsWith('go:') ? goProject(rel.slice(3)) : join(LOCKFILES, rel);
    if (!existsSync(path)) continue;
    const { document } = await generateSbom(path, { deterministic: true });
    for (const c of document.components) {
      if (components.length >= WANT) break;
      if (!c.purl || !c.version || seen.has(c.purl)) continue;
      seen.add(c.purl);
      components.push(c);
    }
  }
  if (components.length < WANT)
    throw new Error(`only ${components.length} distinct components in the lockfiles`);
  const perEcosystem: Record<string, number> = {};
  for (const c of components) perEcosystem[c.ecosystem] = (perEcosystem[c.ecosystem] ?? 0) + 1;
  const document: SbomDocument = {
    format: 'cyclonedx',
    specVersion: '1.6',
    tools: [],
    authors: [],
    components,
    hasDependencyGraph: false,
    properties: {},
    unmapped: [],
    name: 'bench-vuln',
  };
  return { document, perEcosystem };
}

/** go.mod and go.sum are read together, by those names: a folder holding the pair. */
function goProject(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'custody-bench-go-'));
  copyFileSync(join(LOCKFILES, 'go', `${prefix}.mod`), join(dir, 'go.mod'));
  copyFileSync(join(LOCKFILES, 'go', `${prefix}.sum`), join(dir, 'go.sum'));
  return dir;
}

const { document, perEcosystem } = await buildSbom();
console.log(
  `SBOM: ${document.components.length} components (${Object.entries(perEcosystem)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')})`,
);

const osvDirs = ['go', 'pypi', 'crates-io', 'npm', 'distro'].map((d) => join(OSV, d));
const loadTimes: number[] = [];
let loaded = loadAdvisories(osvDirs);
for (let i = 0; i < 3; i++) {
  loaded = loadAdvisories(osvDirs);
  loadTimes.push(loaded.loadMs);
}
console.log(
  `advisories: ${loaded.records} records from ${loaded.files} files (${loaded.refused.length} refused), load median ${fmtMs(median(loadTimes))}`,
);

const first = matchSbom('bench', document, loaded);
const warm: number[] = [];
for (let i = 0; i < RUNS; i++) warm.push(matchSbom('bench', document, loaded).stats.matchMs);
const m = median(warm);
console.log(
  `match: first ${first.stats.matchMs.toFixed(1)} ms (ranges compiled on use), warm median ${m.toFixed(1)} ms over ${RUNS} runs; ${first.findings.length} findings, ${first.problems.length} problems, ${first.skipped.length} skipped`,
);
console.log(`target: match < 200 ms: ${first.stats.matchMs < 200 && m < 200 ? 'met' : 'NOT met'}`);

// The peer on the same SBOM and records, timed the same way: a first pass, then warm ones.
const peerDir = mkdtempSync(join(tmpdir(), 'custody-bench-osv-offline-'));
const peer = await loadPeer(peerDir);
if (peer === undefined) {
  console.log(
    `peer (${PEER_NAME}): @renovatebot/osv-offline-db is not installed (npm ci installs it); not compared`,
  );
} else {
  const setup = writePeerDatabase(osvDirs, peerDir);
  console.log(
    `peer: ${PEER_NAME} (@renovatebot/osv-offline-db ${peer.version}); setup, not timed below: ${setup.records} records written as ${setup.files} .nedb files in ${fmtMs(setup.ms)}`,
  );
  const purls = [...new Set(document.components.flatMap((c) => (c.purl ? [c.purl] : [])))];
  const db = peer.create();
  let t0 = performance.now();
  const peerFirst = await peerScan(db, purls);
  const peerFirstMs = performance.now() - t0;
  const peerWarm: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    t0 = performance.now();
    await peerScan(db, purls);
    peerWarm.push(performance.now() - t0);
  }
  db[Symbol.dispose]();
  const pm = median(peerWarm);
  const custodyCold = median(loadTimes) + first.stats.matchMs;
  const row = (label: string, c: number, p: number) =>
    `  ${label.padEnd(34)} ${`${c.toFixed(1)} ms`.padStart(10)} ${`${p.toFixed(1)} ms`.padStart(10)}   peer/custody ${(p / c).toFixed(2)} (custody ${p >= c ? `${(p / c).toFixed(1)}x faster` : `${(c / p).toFixed(1)}x slower`})`;
  console.log(`  ${''.padEnd(34)} ${'custody'.padStart(10)} ${'peer'.padStart(10)}`);
  console.log(row('first (custody: load + 1st match)', custodyCold, peerFirstMs));
  console.log(row(`warm median (${RUNS} runs)`, m, pm));
  console.log(
    `  (first: custody reads, checks and indexes ${loaded.files} record files (ranges compiled on use); the peer reads the ${setup.files} JSON-lines files setup wrote, only those of the ecosystems queried, and indexes names, parsing a record again on every query that returns it)`,
  );

  // Findings, so that neither side is faster by finding less: (component, advisory) pairs.
  const ecosystemOf = new Map(document.components.map((c) => [c.purl, c.ecosystem]));
  const custodyKeys = new Set(first.findings.map((f) => `${f.purl} ${f.id}`));
  const diff = new Map<string, { both: number; custodyOnly: string[]; peerOnly: string[] }>();
  const bucket = (key: string) => {
    const e = ecosystemOf.get(key.slice(0, key.indexOf(' '))) ?? '?';
    const d = diff.get(e) ?? { both: 0, custodyOnly: [], peerOnly: [] };
    diff.set(e, d);
    return d;
  };
  for (const k of custodyKeys) {
    const d = bucket(k);
    if (peerFirst.findings.has(k)) d.both++;
    else d.custodyOnly.push(k);
  }
  for (const k of peerFirst.findings) if (!custodyKeys.has(k)) bucket(k).peerOnly.push(k);
  console.log(
    `  findings: custody ${custodyKeys.size}, peer ${peerFirst.findings.size} (peer skipped ${peerFirst.skipped} components: ecosystem not covered or version not semver)`,
  );
  for (const [e, d] of [...diff].sort()) {
    const sample = (xs: string[]) => (xs.length > 0 ? ` e.g. ${xs.slice(0, 2).join(', ')}` : '');
    console.log(
      `    ${e}: both ${d.both}, custody only ${d.custodyOnly.length}${sample(d.custodyOnly)}; peer only ${d.peerOnly.length}${sample(d.peerOnly)}`,
    );
  }
}
rmSync(peerDir, { recursive: true, force: true });

// The whole CLI process, as a pipeline runs it: start-up + read SBOM + load + match + print.
const dir = join(ROOT, 'bench/.data');
mkdirSync(dir, { recursive: true });
const sbomPath = join(dir, 'vuln-2000.cdx.json');
writeFileSync(sbomPath, writeCycloneDxJson(document, '1.6'));
// Exit 1 (findings remain) is this scan's expected answer, so time the runs here.
const cliTimes: number[] = [];
let cliStatus: number | null = null;
for (let i = 0; i <= 3; i++) {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'bin/custody.js'), 'vuln', 'match', sbomPath, '--osv', ...osvDirs, '--json'],
    { cwd: ROOT, maxBuffer: 1 << 30 },
  );
  cliStatus = r.status;
  if (i > 0) cliTimes.push(performance.now() - t0);
}
console.log(
  `whole process (bin/custody.js, dist/ build, exit ${cliStatus}): median ${fmtMs(median(cliTimes))} over 3 runs`,
);
console.log(
  'portfolio scale (5,000,000 component rows in the service): npm run bench -- vuln --portfolio',
);
