/**
 * The peer of `npm run bench -- vuln`: @renovatebot/osv-offline-db (the store behind
 * @renovatebot/osv-offline, which Renovate scans with) for the look-up, and a version check written
 * the way Renovate's vulnerability worker does it, on the `semver` package. osv-offline-db only
 * finds the records naming a package; deciding whether a version is affected is left to the
 * caller, so the check here is part of what is timed.
 *
 * Renovate's algorithm, as followed here: skip withdrawn records; an affected entry counts when its
 * package name and ecosystem are the component's and either its `versions` list holds the version
 * string or, in a SEMVER or ECOSYSTEM range, walking the events in version order (`introduced: 0`
 * first, events whose version does not parse dropped) leaves the version affected. A component
 * whose own version does not parse is skipped, as Renovate skips it.
 *
 * Versioning: npm, crates.io and Go compare with semver, as Renovate's npm, cargo and semver
 * versionings do. PyPI is compared on `semver.coerce` of each version: Renovate uses PEP 440
 * there, which this is not (pre-, post- and dev-releases and epochs collapse onto their release
 * number, a fourth component is dropped); the PYSEC records' explicit `versions` lists, checked
 * first, are exact. Distribution advisories (Debian, …) are not osv-offline ecosystems: not
 * looked up.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';

/** The parts of an OSV record the peer reads (osv-offline-db's own `Osv.Vulnerability`). */
interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}
interface OsvAffected {
  package?: { name: string; ecosystem: string; purl?: string };
  versions?: string[];
  ranges?: { type: string; events: OsvEvent[] }[];
}
interface OsvVulnerability {
  id: string;
  withdrawn?: string;
  affected?: OsvAffected[];
}

/** The surface of @renovatebot/osv-offline-db 3.x the bench uses. */
export interface PeerDb {
  query(ecosystem: string, packageName: string): Promise<OsvVulnerability[]>;
  [Symbol.dispose](): void;
}
export interface PeerModule {
  version: string;
  create(): PeerDb;
}

export const PEER_NAME = 'osv-offline-db lookup + semver ranges';

/**
 * Import the peer with its database folder set (the package reads OSV_OFFLINE_ROOT_DIR when it
 * loads), or undefined when it is not installed.
 */
export async function loadPeer(rootDir: string): Promise<PeerModule | undefined> {
  process.env['OSV_OFFLINE_ROOT_DIR'] = rootDir;
  try {
    const mod = (await import('@renovatebot/osv-offline-db')) as unknown as {
      OsvOfflineDb: { create(): PeerDb; rootDirectory: string };
    };
    if (mod.OsvOfflineDb.rootDirectory !== rootDir)
      throw new Error(`osv-offline-db reads ${mod.OsvOfflineDb.rootDirectory}, not ${rootDir}`);
    const pkg = JSON.parse(
      readFileSync(
        new URL(import.meta.resolve('@renovatebot/osv-offline-db/package.json')),
        'utf8',
      ),
    ) as { version: string };
    return { version: pkg.version, create: () => mod.OsvOfflineDb.create() };
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw e;
  }
}

/** OSV ecosystem → purl type, where osv.dev's export fills `package.purl` (as osv-offline-db's filter needs). */
const PURL_TYPE: Readonly<Record<string, string>> = {
  'crates.io': 'cargo',
  Go: 'golang',
  Hackage: 'hackage',
  Hex: 'hex',
  Maven: 'maven',
  npm: 'npm',
  NuGet: 'nuget',
  Packagist: 'composer',
  PyPI: 'pypi',
  Pub: 'pub',
  RubyGems: 'gem',
};

/**
 * Write the OSV records of `dirs` as osv-offline's database: one JSON line per record in
 * `<ecosystem lower-cased>.nedb`, a record in the file of every ecosystem it names. The Go
 * records of vuln.go.dev carry no `package.purl`; osv.dev's export (the source of osv-offline's
 * release) does, and osv-offline-db drops records whose purl is not the package's, so it is
 * filled in here where missing.
 */
export function writePeerDatabase(
  dirs: readonly string[],
  outDir: string,
): { records: number; files: number; ms: number } {
  const t0 = performance.now();
  const lines = new Map<string, string[]>();
  let records = 0;
  for (const dir of dirs) {
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('.json')) continue;
      const parsed = JSON.parse(readFileSync(join(dir, f), 'utf8')) as
        | OsvVulnerability
        | OsvVulnerability[];
      for (const r of Array.isArray(parsed) ? parsed : [parsed]) {
        records++;
        const ecosystems = new Set<string>();
        for (const a of r.affected ?? []) {
          if (a.package === undefined) continue;
          ecosystems.add(a.package.ecosystem);
          const type = PURL_TYPE[a.package.ecosystem];
          if (a.package.purl === undefined && type !== undefined)
            a.package.purl = `pkg:${type}/${purlName(type, a.package.name)}`;
        }
        const line = JSON.stringify(r);
        for (const e of ecosystems) {
          const file = `${e.toLowerCase()}.nedb`;
          const list = lines.get(file) ?? [];
          list.push(line);
          lines.set(file, list);
        }
      }
    }
  }
  for (const [file, list] of lines) writeFileSync(join(outDir, file), `${list.join('\n')}\n`);
  return { records, files: lines.size, ms: performance.now() - t0 };
}

function purlName(type: string, name: string): string {
  const n = type === 'maven' ? name.replace(':', '/') : name;
  return n.split('/').map(encodeURIComponent).join('/');
}

/**
 * A purl as Renovate names a dependency: OSV ecosystem (from the purl type, where Renovate maps its
 * datasource), package name (namespace and name, decoded and joined by `/`), version.
 */
function dependencyOf(
  purl: string,
): { ecosystem: string | undefined; name: string; version: string } | undefined {
  const m = /^pkg:([^/]+)\/([^?#]+)/.exec(purl);
  const path = m?.[2];
  if (m === null || path === undefined) return undefined;
  const at = path.lastIndexOf('@');
  if (at < 0) return undefined;
  const name = path.slice(0, at).split('/').map(decodeURIComponent).join('/');
  return {
    ecosystem: ECOSYSTEM[(m[1] as string).toLowerCase()],
    name,
    version: decodeURIComponent(path.slice(at + 1)),
  };
}

const ECOSYSTEM: Readonly<Record<string, string>> = {
  npm: 'npm',
  pypi: 'PyPI',
  golang: 'Go',
  cargo: 'crates.io',
};

type Parse = (v: string) => string | null;
const strict: Parse = (v) => semver.valid(v);
const coerced: Parse = (v) => semver.coerce(v)?.version ?? null;
const VERSIONING: Readonly<Record<string, Parse>> = {
  npm: strict,
  'crates.io': strict,
  Go: strict,
  PyPI: coerced,
};

export interface PeerScan {
  /** `purl id` of every (component, advisory) pair found affected. */
  findings: Set<string>;
  /** Components not looked up: ecosystem not covered, or a version the versioning does not parse. */
  skipped: number;
}

/** One scan: a query per component, then the version check on what the query returns. */
export async function peerScan(db: PeerDb, purls: readonly string[]): Promise<PeerScan> {
  const findings = new Set<string>();
  let skipped = 0;
  // Renovate looks its dependencies up concurrently; all at once is as fast as small batches
  // here, one at a time about twice as slow.
  await Promise.all(
    purls.map(async (purl) => {
      const dep = dependencyOf(purl);
      const ecosystem = dep?.ecosystem;
      const parse = ecosystem === undefined ? undefined : VERSIONING[ecosystem];
      if (
        dep === undefined ||
        ecosystem === undefined ||
        parse === undefined ||
        parse(dep.version) === null
      ) {
        skipped++;
        return;
      }
      const name = ecosystem === 'PyPI' ? dep.name.toLowerCase().replace(/[-_.]+/g, '-') : dep.name;
      for (const v of await db.query(ecosystem, name)) {
        if (v.withdrawn) continue;
        if (v.affected?.some((a) => affects(a, ecosystem, name, dep.version, parse)))
          findings.add(`${purl} ${v.id}`);
      }
    }),
  );
  return { findings, skipped };
}

function affects(
  a: OsvAffected,
  ecosystem: string,
  name: string,
  version: string,
  parse: Parse,
): boolean {
  if (a.package?.name !== name || a.package.ecosystem !== ecosystem) return false;
  if (a.versions?.includes(version)) return true;
  const dep = parse(version);
  if (dep === null) return false;
  for (const range of a.ranges ?? []) {
    if (range.type === 'GIT') continue;
    let zero: OsvEvent | undefined;
    const events: { e: OsvEvent; v: string }[] = [];
    for (const e of range.events) {
      if (e.introduced === '0') zero = e;
      else {
        const raw = e.introduced ?? e.fixed ?? e.last_affected ?? e.limit;
        const v = raw === undefined ? null : parse(raw);
        if (v !== null) events.push({ e, v });
      }
    }
    events.sort((x, y) => semver.compare(x.v, y.v));
    let affected = zero !== undefined;
    for (const { e, v } of events) {
      if (e.introduced !== undefined && semver.gte(dep, v)) affected = true;
      else if (e.fixed !== undefined && semver.gte(dep, v)) affected = false;
      else if (e.last_affected !== undefined && semver.gt(dep, v)) affected = false;
    }
    if (affected) return true;
  }
  return false;
}
