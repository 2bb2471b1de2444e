/**
 * A realistic, deterministic portfolio for the inventory benchmark: products with releases, each
 * release one CycloneDX 1.6 JSON SBOM of N library components drawn from real package names and
 * versions found in ../shared/conformance (lockfiles, OSV advisories, sample SBOMs).
 *
 * Realism that matters to an inventory index: a long tail of packages (Zipf-like popularity, most
 * of a product's components from its main ecosystem), consecutive releases of a product share most
 * components and move a few versions forward, and a handful of well-known packages (npm lodash in
 * 3.x and 4.17.0–4.17.21, minimist, requests, log4j-core, …) occur in many releases, so exact and
 * version-range queries have realistic hit counts. The same package@version has the same hash in
 * every SBOM, as a real artifact would.
 *
 * Run alone to write a few SBOMs for inspection:
 *   node --import tsx bench/_gen-portfolio.ts --out /tmp/portfolio [--releases 40] [--components 500]
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { formatPurl, parsePurl } from '../src/core/index.js';
import { CATALOGERS, sniffCataloger } from '../src/sbom/catalogers/index.js';
import type { FileTree } from '../src/sbom/model.js';

/** purl types the portfolio uses (OS packages need distro qualifiers; left out). */
const TYPES = ['npm', 'pypi', 'golang', 'cargo', 'maven', 'gem', 'composer', 'nuget'] as const;
type PurlType = (typeof TYPES)[number];

/** A package (purl without version) and the real versions seen for it. */
export interface Package {
  type: PurlType;
  namespace?: string;
  name: string;
  /** purl without version, canonical: the inventory's package key. */
  base: string;
  /** Sorted oldest first (loosely: numeric segments compared as numbers). */
  versions: string[];
  license: string;
  supplier: string;
  /** How many conformance sources named it: a hint of popularity. */
  sources: number;
}

export interface PackagePool {
  packages: Package[];
  byType: Map<PurlType, Package[]>;
}

/**
 * Well-known packages placed in a share of all products (`share`), with real versions; across a
 * product's releases their version moves forward along the list.
 */
export const HOT_PACKAGES: readonly {
  type: PurlType;
  namespace?: string;
  name: string;
  share: number;
  versions: string[];
  license: string;
}[] = [
  {
    type: 'npm',
    name: 'lodash',
    share: 0.5,
    license: 'MIT',
    versions: [
      '3.7.0',
      '3.9.3',
      '3.10.1',
      ...[0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21].map((p) => `4.17.${p}`),
    ],
  },
  {
    type: 'npm',
    name: 'minimist',
    share: 0.35,
    license: 'MIT',
    versions: ['0.0.8', '1.2.0', '1.2.5', '1.2.6', '1.2.8'],
  },
  {
    type: 'pypi',
    name: 'requests',
    share: 0.2,
    license: 'Apache-2.0',
    versions: ['2.22.0', '2.25.1', '2.27.1', '2.28.2', '2.31.0', '2.32.3'],
  },
  {
    type: 'maven',
    namespace: 'org.apache.logging.log4j',
    name: 'log4j-core',
    share: 0.1,
    license: 'Apache-2.0',
    versions: ['2.8.2', '2.11.1', '2.14.1', '2.15.0', '2.16.0', '2.17.1', '2.20.0'],
  },
  {
    type: 'golang',
    namespace: 'golang.org/x',
    name: 'net',
    share: 0.15,
    license: 'BSD-3-Clause',
    versions: ['v0.7.0', 'v0.10.0', 'v0.17.0', 'v0.23.0', 'v0.33.0'],
  },
  {
    type: 'cargo',
    name: 'serde',
    share: 0.1,
    license: 'MIT OR Apache-2.0',
    versions: ['1.0.130', '1.0.152', '1.0.188', '1.0.203'],
  },
];

/** Range queries over the hot packages (vers syntax), with the hot package each one targets. */
export const RANGE_QUERIES: readonly { purl: string; range: string }[] = [
  { purl: 'pkg:npm/lodash', range: 'vers:npm/>=4.0.0|<4.17.21' },
  { purl: 'pkg:npm/lodash', range: 'vers:npm/<4.17.12' },
  { purl: 'pkg:npm/minimist', range: 'vers:npm/<1.2.6' },
  { purl: 'pkg:pypi/requests', range: 'vers:pypi/>=2.0.0|<2.31.0' },
  { purl: 'pkg:maven/org.apache.logging.log4j/log4j-core', range: 'vers:maven/>=2.0.0|<2.17.1' },
  { purl: 'pkg:golang/golang.org/x/net', range: 'vers:golang/<v0.17.0' },
  { purl: 'pkg:cargo/serde', range: 'vers:cargo/>=1.0.0|<1.0.180' },
];

// ---------------------------------------------------------------------------------------------
// Harvesting real names and versions
// ---------------------------------------------------------------------------------------------

const LICENSES = [
  'MIT',
  'MIT',
  'MIT',
  'Apache-2.0',
  'Apache-2.0',
  'ISC',
  'BSD-3-Clause',
  'BSD-2-Clause',
  'MPL-2.0',
  'MIT OR Apache-2.0',
];

/** Read every source under `conformanceRoot` and return the package pool (a few seconds). */
export function harvestPackages(conformanceRoot: string): PackagePool {
  const acc = new Map<string, { parts: Parts; versions: Set<string>; sources: number }>();
  const add = (parts: Parts, versions: Iterable<string>, source: boolean) => {
    const base = baseOf(parts);
    if (base === undefined) return;
    let e = acc.get(base);
    if (!e) {
      e = { parts, versions: new Set(), sources: 0 };
      acc.set(base, e);
    }
    if (source) e.sources++;
    for (const v of versions) if (plausibleVersion(parts.type, v)) e.versions.add(v);
  };
  harvestLockfiles(join(conformanceRoot, 'lockfiles'), add);
  harvestOsv(join(conformanceRoot, 'osv'), add);
  harvestSbomSamples(join(conformanceRoot, 'sbom-samples'), add);
  for (const hot of HOT_PACKAGES) add(hot, hot.versions, true);

  const packages: Package[] = [];
  for (const [base, e] of [...acc].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (e.versions.size === 0) continue;
    const h = hash32(base);
    const hot = HOT_PACKAGES.find((x) => baseOf(x) === base);
    const ns = e.parts.namespace;
    packages.push({
      type: e.parts.type,
      ...(ns ? { namespace: ns } : {}),
      name: e.parts.name,
      base,
      versions: hot ? [...hot.versions] : [...e.versions].sort(compareLoose),
      license: hot?.license ?? (LICENSES[h % LICENSES.length] as string),
      supplier: supplierOf(e.parts),
      sources: e.sources,
    });
  }
  const byType = new Map<PurlType, Package[]>();
  for (const p of packages) {
    const list = byType.get(p.type) ?? [];
    list.push(p);
    byType.set(p.type, list);
  }
  return { packages, byType };
}

interface Parts {
  type: PurlType;
  namespace?: string | undefined;
  name: string;
}

type Add = (parts: Parts, versions: Iterable<string>, source: boolean) => void;

// Lockfiles through Custody's own catalogers (go.sum, which no cataloger reads alone, by hand).
function harvestLockfiles(dir: string, add: Add): void {
  for (const file of walk(dir)) {
    const text = readFileSync(file, 'utf8');
    if (basename(file).endsWith('go.sum')) {
      for (const m of text.matchAll(/^(\S+) (v[^\s/]+)(?:\/go\.mod)? h1:/gm)) {
        const parts = goParts(m[1] as string);
        if (parts) add(parts, [m[2] as string], true);
      }
      continue;
    }
    const rel = basename(file);
    const cataloger = sniffCataloger(rel, text.slice(0, 4096), CATALOGERS);
    if (!cataloger) continue;
    const tree: FileTree = {
      list: () => [rel],
      read: (p) => {
        try {
          return readFileSync(join(dirname(file), p));
        } catch {
          return undefined;
        }
      },
    };
    try {
      for (const c of cataloger.catalog(rel, tree).components) {
        const parts = c.purl ? partsOfPurl(c.purl) : undefined;
        if (parts) add(parts.parts, parts.version ? [parts.version] : [], true);
      }
    } catch {
      // A fixture some cataloger rejects (deliberately malformed ones exist): skip it.
    }
  }
}

const OSV_TYPES: Record<string, PurlType> = {
  npm: 'npm',
  PyPI: 'pypi',
  Go: 'golang',
  'crates.io': 'cargo',
  Maven: 'maven',
  RubyGems: 'gem',
  Packagist: 'composer',
  NuGet: 'nuget',
};

// OSV advisories: affected[].package and the versions the advisory lists or its ranges name.
function harvestOsv(dir: string, add: Add): void {
  for (const file of walk(dir)) {
    if (!file.endsWith('.json') || file.includes('/schema/')) continue;
    let doc: { affected?: unknown };
    try {
      doc = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    if (!Array.isArray(doc.affected)) continue;
    for (const a of doc.affected as OsvAffected[]) {
      const type = OSV_TYPES[a.package?.ecosystem ?? ''];
      const name = a.package?.name;
      if (!type || !name) continue;
      const parts = osvParts(type, name);
      if (!parts) continue;
      const versions = [...(a.versions ?? [])];
      for (const r of a.ranges ?? []) {
        for (const ev of r.events ?? []) {
          for (const v of [ev.introduced, ev.fixed, ev.last_affected]) if (v) versions.push(v);
        }
      }
      add(parts, versions, true);
    }
  }
}

interface OsvAffected {
  package?: { ecosystem?: string; name?: string };
  versions?: string[];
  ranges?: { events?: { introduced?: string; fixed?: string; last_affected?: string }[] }[];
}

// Sample SBOMs: every `purl` field anywhere in a JSON document (CycloneDX components, SPDX refs).
function harvestSbomSamples(dir: string, add: Add): void {
  for (const file of walk(dir)) {
    if (!file.endsWith('.json')) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/"(?:purl|referenceLocator)"\s*:\s*"(pkg:[^"]+)"/g)) {
      const parts = partsOfPurl(m[1] as string);
      if (parts) add(parts.parts, parts.version ? [parts.version] : [], true);
    }
  }
}

function partsOfPurl(purl: string): { parts: Parts; version: string | undefined } | undefined {
  try {
    const p = parsePurl(purl);
    if (!(TYPES as readonly string[]).includes(p.type)) return undefined;
    return {
      parts: { type: p.type as PurlType, namespace: p.namespace, name: p.name },
      version: p.version,
    };
  } catch {
    return undefined;
  }
}

function osvParts(type: PurlType, name: string): Parts | undefined {
  switch (type) {
    case 'golang':
      return goParts(name);
    case 'maven': {
      const [g, a] = name.split(':');
      return g && a ? { type, namespace: g, name: a } : undefined;
    }
    case 'npm':
    case 'composer': {
      const i = name.lastIndexOf('/');
      return i > 0
        ? { type, namespace: name.slice(0, i), name: name.slice(i + 1) }
        : { type, name };
    }
    default:
      return { type, name };
  }
}

function goParts(module: string): Parts | undefined {
  const i = module.lastIndexOf('/');
  if (i <= 0 || module === 'stdlib' || module === 'toolchain') return undefined;
  return { type: 'golang', namespace: module.slice(0, i), name: module.slice(i + 1) };
}

function baseOf(parts: Parts): string | undefined {
  try {
    return formatPurl({ type: parts.type, namespace: parts.namespace, name: parts.name });
  } catch {
    return undefined;
  }
}

// Versions a release would pin: numeric dotted, optional pre-release/build; no ranges or "0".
function plausibleVersion(type: PurlType, v: string): boolean {
  if (v.length > 40 || v === '0' || v === '0.0.0') return false;
  if (type === 'golang') return /^v\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$/.test(v);
  return /^\d+(?:\.\d+){1,3}(?:[-+.]?[0-9A-Za-z][0-9A-Za-z.+-]*)?$/.test(v);
}

function supplierOf(parts: Parts): string {
  const ns = parts.namespace?.replace(/^@/, '');
  if (parts.type === 'golang' && ns) return ns.split('/').slice(0, 2).join('/');
  return ns ?? `${parts.name} maintainers`;
}

/** Numeric-aware comparison, good enough to order one package's versions oldest first. */
export function compareLoose(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split(/[.+-]/);
  const pb = b.replace(/^v/, '').split(/[.+-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return y !== undefined && /^\d+$/.test(y) ? -1 : 1;
    if (y === undefined) return /^\d+$/.test(x) ? 1 : -1;
    const nx = /^\d+$/.test(x) ? Number(x) : Number.NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : Number.NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) {
      if (nx !== ny) return nx - ny;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

function* walk(dir: string): Generator<string> {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

// ---------------------------------------------------------------------------------------------
// Generating the portfolio
// ---------------------------------------------------------------------------------------------

export interface PortfolioOptions {
  /** Total releases (one SBOM each). */
  releases: number;
  /** Components per SBOM. */
  components: number;
  /** Releases per product (the last product may have fewer). */
  releasesPerProduct: number;
  seed: number;
}

export interface GeneratedRelease {
  product: string;
  release: string;
  /** `sha256:<hex>` of the (imaginary) artifact the SBOM describes. */
  artifact: string;
  body: string;
  /** purl@version of every component (for counting hits). */
  purls: string[];
}

interface Slot {
  pkg: Package;
  /** index into pkg.versions */
  v: number;
  scope: 'required' | 'optional';
  hot: boolean;
}

/**
 * Every release of the portfolio, product by product, oldest release first. Deterministic for
 * the same pool and options.
 */
export function* generatePortfolio(
  pool: PackagePool,
  opts: PortfolioOptions,
): Generator<GeneratedRelease> {
  const products = Math.ceil(opts.releases / opts.releasesPerProduct);
  const names = productNames(products, rng(`${opts.seed}:names`));
  const weights = popularity(pool, rng(`${opts.seed}:popularity`));
  let emitted = 0;
  for (let p = 0; p < products && emitted < opts.releases; p++) {
    const rand = rng(`${opts.seed}:product:${p}`);
    const product = names[p] as string;
    const { slots, reserve } = initialSlots(pool, weights, opts.components, rand);
    for (let r = 0; r < opts.releasesPerProduct && emitted < opts.releases; r++) {
      if (r > 0) evolve(slots, reserve, rand);
      const release = releaseVersion(r);
      yield buildRelease(product, release, p, r, slots, rand);
      emitted++;
    }
  }
}

const PRIMARY: readonly [PurlType, number][] = [
  ['npm', 0.4],
  ['pypi', 0.2],
  ['golang', 0.15],
  ['maven', 0.1],
  ['cargo', 0.1],
  ['gem', 0.03],
  ['composer', 0.02],
];

// Each package gets a weight: Zipf over a seeded rank, boosted by how many sources named it.
function popularity(pool: PackagePool, rand: () => number): Map<Package, number> {
  const w = new Map<Package, number>();
  for (const list of pool.byType.values()) {
    const order = shuffle([...list], rand);
    order.forEach((pkg, rank) => {
      w.set(pkg, (1 + Math.min(pkg.sources, 8)) / (rank + 5) ** 0.8);
    });
  }
  return w;
}

// A product: a main ecosystem for ~85 % of its components, the rest from elsewhere, plus the hot
// packages it happens to use. Weighted sampling without replacement (Efraimidis–Spirakis keys).
function initialSlots(
  pool: PackagePool,
  weights: Map<Package, number>,
  count: number,
  rand: () => number,
): { slots: Slot[]; reserve: Package[] } {
  const primary = pickWeighted(PRIMARY, rand);
  const slots: Slot[] = [];
  const used = new Set<string>();
  for (const hot of HOT_PACKAGES) {
    const share = hot.type === primary ? Math.min(1, hot.share * 1.6) : hot.share * 0.6;
    if (rand() >= share || slots.length >= count) continue;
    const pkg = pool.packages.find((x) => x.base === baseOf(hot)) as Package;
    // Products start anywhere in the list (some pin old versions for years), then move forward.
    const v = Math.floor(rand() * pkg.versions.length);
    slots.push({ pkg, v, scope: 'required', hot: true });
    used.add(pkg.base);
  }
  const keyed: { pkg: Package; key: number }[] = [];
  for (const pkg of pool.packages) {
    if (used.has(pkg.base)) continue;
    const w = (weights.get(pkg) ?? 0) * (pkg.type === primary ? 40 : 1);
    keyed.push({ pkg, key: -Math.log(1 - rand()) / w });
  }
  keyed.sort((a, b) => a.key - b.key);
  const want = count - slots.length;
  for (const { pkg } of keyed.slice(0, want)) {
    const v = Math.floor(rand() ** 1.5 * pkg.versions.length);
    slots.push({ pkg, v, scope: rand() < 0.9 ? 'required' : 'optional', hot: false });
  }
  const reserve = keyed.slice(want, want + Math.max(50, count >> 2)).map((k) => k.pkg);
  return { slots, reserve };
}

// From one release to the next: a few versions move forward, a few packages come and go.
function evolve(slots: Slot[], reserve: Package[], rand: () => number): void {
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i] as Slot;
    const bump = s.hot ? 0.15 : 0.06;
    if (rand() < bump && s.v < s.pkg.versions.length - 1) s.v++;
    if (!s.hot && rand() < 0.01 && reserve.length > 0) {
      const j = Math.floor(rand() * reserve.length);
      const next = reserve[j] as Package;
      reserve[j] = s.pkg;
      slots[i] = {
        pkg: next,
        v: Math.floor(rand() * next.versions.length),
        scope: s.scope,
        hot: false,
      };
    }
  }
}

function buildRelease(
  product: string,
  release: string,
  p: number,
  r: number,
  slots: Slot[],
  rand: () => number,
): GeneratedRelease {
  const refs: string[] = [];
  const components: string[] = [];
  for (const s of slots) {
    const version = s.pkg.versions[s.v] as string;
    const purl = `${s.pkg.base}@${encodeVersion(version)}`;
    refs.push(purl);
    components.push(componentJson(s, version, purl));
  }
  const rootRef = `pkg:generic/acme/${product}@${release}`;
  const dependencies: { ref: string; dependsOn: string[] }[] = [
    { ref: rootRef, dependsOn: refs.slice(0, Math.min(20, refs.length)) },
  ];
  // Each component depends on up to three later ones: a DAG, like a resolved lockfile.
  for (let i = 0; i < refs.length; i++) {
    const n = Math.floor(rand() * 4);
    const deps = new Set<string>();
    for (let k = 0; k < n && i + 1 < refs.length; k++) {
      deps.add(refs[i + 1 + Math.floor(rand() * (refs.length - i - 1))] as string);
    }
    dependencies.push({ ref: refs[i] as string, dependsOn: [...deps] });
  }
  const bom = {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${uuidFrom(`${product}@${release}`)}`,
    version: 1,
    metadata: {
      timestamp: timestampOf(p, r),
      tools: {
        components: [{ type: 'application', name: 'custody-bench-portfolio', version: '1.0.0' }],
      },
      authors: [{ name: 'Acme Platform Team', email: 'platform@acme.example' }],
      supplier: { name: 'Acme Corp' },
      component: {
        type: 'application',
        'bom-ref': rootRef,
        supplier: { name: 'Acme Corp' },
        name: product,
        version: release,
        purl: rootRef,
      },
    },
    components: COMPONENTS_HOLE,
    dependencies,
  };
  return {
    product,
    release,
    artifact: `sha256:${sha256(`artifact:${product}@${release}`)}`,
    body: JSON.stringify(bom).replace(`"${COMPONENTS_HOLE}"`, () => `[${components.join(',')}]`),
    purls: refs,
  };
}

// Generation stays cheap (it is not what is measured): each distinct component is serialised once
// and documents are assembled from those strings.
const COMPONENTS_HOLE = '@@components@@';
const componentCache = new Map<string, string>();
function componentJson(s: Slot, version: string, purl: string): string {
  const key = `${s.scope} ${purl}`;
  let json = componentCache.get(key);
  if (json === undefined) {
    json = JSON.stringify({
      type: 'library',
      'bom-ref': purl,
      supplier: { name: s.pkg.supplier },
      ...(s.pkg.namespace && s.pkg.type !== 'golang' ? { group: s.pkg.namespace } : {}),
      name: s.pkg.type === 'golang' ? `${s.pkg.namespace}/${s.pkg.name}` : s.pkg.name,
      version,
      scope: s.scope,
      hashes: [{ alg: 'SHA-256', content: sha256(purl) }],
      licenses: licenseJson(s.pkg.license),
      purl,
    });
    if (componentCache.size > 1_000_000) componentCache.clear();
    componentCache.set(key, json);
  }
  return json;
}

const licenseJsonCache = new Map<string, unknown[]>();
function licenseJson(license: string): unknown[] {
  let l = licenseJsonCache.get(license);
  if (!l) {
    l = license.includes(' ') ? [{ expression: license }] : [{ license: { id: license } }];
    licenseJsonCache.set(license, l);
  }
  return l;
}

// purl versions are percent-encoded except for the characters the spec leaves alone.
function encodeVersion(v: string): string {
  return /^[0-9A-Za-z.+_~-]+$/.test(v) ? v.replace(/\+/g, '%2B') : encodeURIComponent(v);
}

function releaseVersion(r: number): string {
  return `${1 + Math.floor(r / 6)}.${r % 6}.${(r * 7) % 3}`;
}

// Release r of product p: every two weeks, going back from mid-2025, products staggered by a day.
function timestampOf(p: number, r: number): string {
  const base = Date.UTC(2025, 5, 30) - 21 * 14 * 86_400_000;
  return new Date(base + (r * 14 + (p % 14)) * 86_400_000).toISOString().replace(/\.000Z$/, 'Z');
}

const WORDS_A = [
  'billing',
  'payments',
  'orders',
  'search',
  'catalog',
  'identity',
  'ledger',
  'shipping',
  'pricing',
  'inventory',
  'reports',
  'notify',
  'gateway',
  'checkout',
  'media',
  'profile',
  'audit',
  'fraud',
  'loyalty',
  'support',
];
const WORDS_B = ['api', 'service', 'worker', 'web', 'console', 'sync', 'engine', 'portal'];

function productNames(n: number, rand: () => number): string[] {
  const names = new Set<string>();
  let i = 0;
  while (names.size < n) {
    const a = WORDS_A[Math.floor(rand() * WORDS_A.length)];
    const b = WORDS_B[Math.floor(rand() * WORDS_B.length)];
    const base = `${a}-${b}`;
    names.add(names.has(base) ? `${base}-${++i}` : base);
  }
  return [...names];
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness and small helpers
// ---------------------------------------------------------------------------------------------

/** sfc32 seeded from a string: fast, deterministic, good enough for synthetic data. */
export function rng(seed: string): () => number {
  const h = createHash('sha256').update(seed).digest();
  let a = h.readUInt32LE(0);
  let b = h.readUInt32LE(4);
  let c = h.readUInt32LE(8);
  let d = h.readUInt32LE(12);
  return () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

function pickWeighted<T>(table: readonly [T, number][], rand: () => number): T {
  let u = rand() * table.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of table) {
    u -= w;
    if (u < 0) return v;
  }
  return (table[table.length - 1] as [T, number])[0];
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
  }
  return xs;
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function hash32(s: string): number {
  return createHash('sha256').update(s).digest().readUInt32LE(0);
}

// A v4-shaped UUID derived from a name, so serial numbers are stable across runs.
function uuidFrom(name: string): string {
  const h = createHash('sha256').update(`serial:${name}`).digest('hex');
  const variant = ((Number.parseInt(h[16] as string, 16) & 3) | 8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// ---------------------------------------------------------------------------------------------
// The portfolio on disk, with the queries to ask of it and the answers to expect
// ---------------------------------------------------------------------------------------------

/** Bump when the output changes, so cached portfolios are regenerated. */
const GENERATOR_VERSION = 3;

export interface LoadedPortfolio {
  dir: string;
  releases: { product: string; release: string; artifact: string; file: string }[];
  /** Query paths (with `limit=50`) that autocannon rotates through. */
  exactPaths: string[];
  rangePaths: string[];
  /** Queries whose full hit count is checked against the generator's own count. */
  checks: { label: string; path: string; expected: number }[];
  summary: {
    releases: number;
    products: number;
    componentRows: number;
    distinctPurls: number;
    bytes: number;
  };
}

export interface PrepareOptions {
  releases: number;
  components: number;
  perProduct: number;
  seed: number;
}

/**
 * The portfolio's SBOMs as files under bench/.data/inventory/<key>/ (generated once; the manifest
 * is written last, so an interrupted generation is started again), and the queries to ask.
 */
export function preparePortfolio(
  root: string,
  opts: PrepareOptions,
  out: { say: (s: string) => void; progress: (s: string) => void },
): LoadedPortfolio {
  const key = `v${GENERATOR_VERSION}-r${opts.releases}-c${opts.components}-p${opts.perProduct}-s${opts.seed}`;
  const dir = join(root, 'bench/.data/inventory', key);
  const manifestPath = join(dir, 'manifest.json');
  if (existsSync(manifestPath)) {
    out.say(`portfolio: using ${dir}`);
    return { dir, ...JSON.parse(readFileSync(manifestPath, 'utf8')) } as LoadedPortfolio;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'sboms'), { recursive: true });
  const t0 = performance.now();
  const pool = harvestPackages(resolve(root, '../shared/conformance'));
  out.say(
    `portfolio: ${pool.packages.length.toLocaleString('en')} real packages harvested from ` +
      `../shared/conformance (${[...pool.byType].map(([t, l]) => `${t} ${l.length}`).join(', ')})`,
  );
  const counts = new Map<string, number>();
  const releases: LoadedPortfolio['releases'] = [];
  const products = new Set<string>();
  let bytes = 0;
  let rows = 0;
  for (const rel of generatePortfolio(pool, {
    releases: opts.releases,
    components: opts.components,
    releasesPerProduct: opts.perProduct,
    seed: opts.seed,
  })) {
    const file = `sboms/${String(releases.length).padStart(6, '0')}.cdx.json`;
    writeFileSync(join(dir, file), rel.body);
    releases.push({ product: rel.product, release: rel.release, artifact: rel.artifact, file });
    products.add(rel.product);
    bytes += rel.body.length;
    rows += rel.purls.length;
    for (const purl of rel.purls) counts.set(purl, (counts.get(purl) ?? 0) + 1);
    if (releases.length % 100 === 0) {
      out.progress(`portfolio: generated ${releases.length}/${opts.releases} SBOMs`);
    }
  }
  const queries = chooseQueries(counts, opts.seed);
  const manifest: Omit<LoadedPortfolio, 'dir'> = {
    releases,
    ...queries,
    summary: {
      releases: releases.length,
      products: products.size,
      componentRows: rows,
      distinctPurls: counts.size,
      bytes,
    },
  };
  writeFileSync(manifestPath, JSON.stringify(manifest));
  out.say(
    `portfolio: generated ${releases.length} SBOMs (${(bytes / 1e9).toFixed(2)} GB) in ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s into ${dir}`,
  );
  return { dir, ...manifest };
}

const SEARCH = '/api/v1/components';

// Exact purls: every version of the hot packages that occurs, plus a seeded sample of the rest.
// Ranges: RANGE_QUERIES, each with the count the generator put in.
function chooseQueries(
  counts: Map<string, number>,
  seed: number,
): Pick<LoadedPortfolio, 'exactPaths' | 'rangePaths' | 'checks'> {
  const hotBases = new Set(HOT_PACKAGES.map((h) => baseOf(h)));
  const all = [...counts.keys()].sort();
  const hot = all.filter((p) => hotBases.has(p.slice(0, p.lastIndexOf('@'))));
  const rest = shuffle(
    all.filter((p) => !hot.includes(p)),
    rng(`${seed}:queries`),
  ).slice(0, 60);
  const exactPath = (purl: string) => `${SEARCH}?purl=${encodeURIComponent(purl)}`;
  const rangePath = (q: { purl: string; range: string }) =>
    `${SEARCH}?purl=${encodeURIComponent(q.purl)}&range=${encodeURIComponent(q.range)}`;
  const checks: LoadedPortfolio['checks'] = [];
  for (const purl of [...hot, ...rest.slice(0, 10)]) {
    checks.push({ label: purl, path: exactPath(purl), expected: counts.get(purl) ?? 0 });
  }
  for (const q of RANGE_QUERIES) {
    let expected = 0;
    for (const [purl, n] of counts) {
      const at = purl.lastIndexOf('@');
      if (
        purl.slice(0, at) === q.purl &&
        inRange(decodeURIComponent(purl.slice(at + 1)), q.range)
      ) {
        expected += n;
      }
    }
    checks.push({ label: `${q.purl} ${q.range}`, path: rangePath(q), expected });
  }
  return {
    exactPaths: [...hot, ...rest].map((p) => `${exactPath(p)}&limit=50`),
    rangePaths: RANGE_QUERIES.map((q) => `${rangePath(q)}&limit=50`),
    checks,
  };
}

// Enough of vers for RANGE_QUERIES: one interval, its bounds ANDed (not the general algorithm).
function inRange(version: string, vers: string): boolean {
  const constraints = vers.slice(vers.indexOf('/') + 1).split('|');
  return constraints.every((c) => {
    const m = /^(>=|<=|>|<|!=|=)?(.+)$/.exec(c) as RegExpExecArray;
    const cmp = compareLoose(version, m[2] as string);
    switch (m[1]) {
      case '>=':
        return cmp >= 0;
      case '<=':
        return cmp <= 0;
      case '>':
        return cmp > 0;
      case '<':
        return cmp < 0;
      case '!=':
        return cmp !== 0;
      default:
        return cmp === 0;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Standalone: write a few SBOMs to a folder for inspection
// ---------------------------------------------------------------------------------------------

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
  };
  const root = resolve(new URL('..', import.meta.url).pathname);
  const out = resolve(arg('--out', join(root, 'bench/.data/portfolio-sample')));
  const t0 = performance.now();
  const pool = harvestPackages(resolve(root, '../shared/conformance'));
  const t1 = performance.now();
  const counts = [...pool.byType].map(([t, l]) => `${t} ${l.length}`).join(', ');
  console.error(
    `harvested ${pool.packages.length} packages (${counts}) in ${(t1 - t0).toFixed(0)} ms`,
  );
  mkdirSync(out, { recursive: true });
  let n = 0;
  let bytes = 0;
  for (const rel of generatePortfolio(pool, {
    releases: Number(arg('--releases', '40')),
    components: Number(arg('--components', '500')),
    releasesPerProduct: Number(arg('--per-product', '20')),
    seed: Number(arg('--seed', '1')),
  })) {
    writeFileSync(join(out, `${rel.product}@${rel.release}.cdx.json`), rel.body);
    n++;
    bytes += rel.body.length;
  }
  const ms = performance.now() - t1;
  console.error(
    `wrote ${n} SBOMs (${(bytes / 1e6).toFixed(1)} MB) to ${out} in ${ms.toFixed(0)} ms ` +
      `(${(ms / n).toFixed(2)} ms each)`,
  );
}
