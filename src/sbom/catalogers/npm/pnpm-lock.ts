import { parse } from 'yaml';
import { decodeUtf8 } from '../../../core/index.js';
import type { Cataloger, CatalogResult, FileTree, Scope } from '../../model.js';
import { ComponentSet } from './component-set.js';
import { createInstalledReader } from './installed-reader.js';
import { asRecord, asString, dirOf, type Json, joinPath } from './json-guards.js';
import { guardLockfile, lockfileError } from './lockfile-error.js';
import { readManifest } from './manifest.js';
import { npmPurl, splitNpmName } from './npm-name.js';
import { hashesOf } from './package-lock-nodes.js';
import { dependencyTarget, parsePackageKey, stripPeers } from './pnpm-keys.js';
import { assignScopesByReach, type ScopedRoot } from './reach-scope.js';

const NAME = 'pnpm-lock';
const MAX_BYTES = 256 * 1024 * 1024;

/**
 * `pnpm-lock.yaml` v5, v6 and v9. One component per name@version (peer-dependency variants
 * merge); edges from `packages` (v5/v6) or `snapshots` (v9); scopes from what the importers'
 * dependencies, optionalDependencies and devDependencies reach, else the lockfile's `dev` flags.
 */
export const pnpmLockCataloger: Cataloger = {
  name: NAME,
  matches(path) {
    return path.slice(path.lastIndexOf('/') + 1) === 'pnpm-lock.yaml';
  },
  sniff(_path, head) {
    return /^lockfileVersion:\s*['"]?\d/m.test(head);
  },
  catalog(path, tree) {
    return guardLockfile(path, () => catalogPnpmLock(path, tree));
  },
};

interface PnpmContext {
  path: string;
  dir: string;
  major: number;
  set: ComponentSet;
  byNameVersion: Map<string, string>;
  byRawKey: Map<string, string>;
  byImporter: Map<string, string>;
}

const SECTIONS: [string, Scope][] = [
  ['dependencies', 'required'],
  ['optionalDependencies', 'optional'],
  ['devDependencies', 'dev'],
];

function catalogPnpmLock(path: string, tree: FileTree): CatalogResult {
  const lock = readLock(path, tree);
  const major = Number.parseInt(asString(lock['lockfileVersion']) ?? '', 10);
  if (!Number.isFinite(major)) throw lockfileError(path, 'has no numeric "lockfileVersion"');
  const ctx: PnpmContext = {
    path,
    dir: dirOf(path),
    major,
    set: new ComponentSet(path),
    byNameVersion: new Map(),
    byRawKey: new Map(),
    byImporter: new Map(),
  };
  const packages = asRecord(lock['packages']) ?? {};
  addPackages(ctx, packages, tree);
  const importers = importersOf(lock);
  addWorkspaces(ctx, importers, tree);
  const caps = new Map<string, Scope>();
  addEdges(ctx, major >= 9 ? (asRecord(lock['snapshots']) ?? {}) : packages, caps);
  const roots: ScopedRoot[] = [];
  for (const [importer, deps] of importers) {
    const from = ctx.byImporter.get(importer);
    if (from) roots.push({ ref: from, scope: 'required' });
    for (const [section, scope] of SECTIONS) {
      for (const [name, value] of importerDeps(deps[section])) {
        const to = resolveDep(ctx, name, value, importer);
        if (!to) continue;
        if (from === undefined) roots.push({ ref: to, scope });
        else {
          ctx.set.addEdge(from, to);
          if (scope !== 'required') caps.set(`${from}\n${to}`, scope);
        }
      }
    }
  }
  assignScopesByReach(ctx.set, roots, caps);
  const rootDependsOn = new Set<string>();
  for (const r of roots) rootDependsOn.add(r.ref);
  const result: CatalogResult = {
    cataloger: NAME,
    sourcePath: path,
    components: ctx.set.components(),
    rootDependsOn: [...rootDependsOn].sort(),
  };
  const manifest = readManifest(tree, joinPath(ctx.dir, 'package.json'));
  const rootName = asString(manifest?.['name']);
  const parts = rootName ? splitNpmName(rootName) : undefined;
  if (rootName && parts) {
    const version = asString(manifest?.['version']);
    result.root = { name: rootName, ecosystem: 'npm', purl: npmPurl(parts, version) };
    if (version) result.root.version = version;
  }
  return result;
}

function readLock(path: string, tree: FileTree): Json {
  const bytes = tree.read(path);
  if (!bytes) throw lockfileError(path, 'file not found or not a regular file');
  if (bytes.byteLength > MAX_BYTES) throw lockfileError(path, `is over ${MAX_BYTES} bytes`);
  let doc: unknown;
  try {
    // failsafe: every scalar stays a string, so a version like 1.10 is not read as the number 1.1.
    doc = parse(decodeUtf8(bytes), { schema: 'failsafe', uniqueKeys: false, maxAliasCount: 0 });
  } catch (e) {
    throw lockfileError(path, `is not YAML: ${(e as Error).message}`, e);
  }
  const lock = asRecord(doc);
  if (!lock || lock['lockfileVersion'] === undefined) {
    throw lockfileError(path, 'has no "lockfileVersion"; it is not a pnpm-lock.yaml');
  }
  return lock;
}

function addPackages(ctx: PnpmContext, packages: Json, tree: FileTree): void {
  const installed = createInstalledReader(tree);
  for (const key of Object.keys(packages)) {
    const e = asRecord(packages[key]) ?? {};
    const fromKey = parsePackageKey(key, ctx.major);
    const name = asString(e['name']) ?? fromKey?.name;
    const version = asString(e['version']) ?? fromKey?.version;
    const parts = name ? splitNpmName(name) : undefined;
    if (!name || !version || !parts) continue;
    const meta = installed.read(() =>
      joinPath(
        ctx.dir,
        'node_modules/.pnpm',
        `${name.replace('/', '+')}@${version}`,
        'node_modules',
        name,
        'package.json',
      ),
    );
    const resolution = asRecord(e['resolution']);
    const properties: Record<string, string> = { 'custody:pnpm:key': key };
    const tarball = asString(resolution?.['tarball']) ?? asString(resolution?.['repo']);
    if (tarball && !asString(resolution?.['integrity']))
      properties['custody:pnpm:resolution'] = tarball;
    const ref = ctx.set.add({
      purl: npmPurl(parts, version),
      namespace: parts.namespace,
      name,
      version,
      hashes: hashesOf(asString(resolution?.['integrity'])),
      licenses: meta?.licenses ?? [],
      scope: flagScope(e),
      author: meta?.author,
      description: meta?.description,
      properties,
    });
    if (fromKey) ctx.byNameVersion.set(`${fromKey.name}@${fromKey.version}`, ref);
    ctx.byNameVersion.set(`${name}@${version}`, ref);
    ctx.byRawKey.set(stripPeers(key, ctx.major), ref);
  }
}

// v5/v6 mark packages `dev: true|false` and `optional: true`; v9 leaves it to the importers.
function flagScope(e: Json): Scope | undefined {
  if (asString(e['optional']) === 'true') return 'optional';
  const dev = asString(e['dev']);
  if (dev === 'true') return 'dev';
  return dev === 'false' ? 'required' : undefined;
}

// Importers other than the project itself are workspace packages, named by their package.json.
function addWorkspaces(ctx: PnpmContext, importers: Map<string, Json>, tree: FileTree): void {
  for (const importer of importers.keys()) {
    if (importer === '.') continue;
    const manifest = readManifest(tree, joinPath(ctx.dir, importer, 'package.json'));
    const name = asString(manifest?.['name']) ?? importer.slice(importer.lastIndexOf('/') + 1);
    const parts = splitNpmName(name);
    if (!parts) continue;
    const version = asString(manifest?.['version']);
    const ref = ctx.set.add({
      purl: npmPurl(parts, version),
      namespace: parts.namespace,
      name,
      version,
      properties: { 'custody:pnpm:importer': importer },
    });
    ctx.byImporter.set(importer, ref);
  }
}

function addEdges(ctx: PnpmContext, graph: Json, caps: Map<string, Scope>): void {
  for (const key of Object.keys(graph)) {
    const e = asRecord(graph[key]);
    if (!e) continue;
    const fromKey = parsePackageKey(key, ctx.major);
    const from =
      ctx.byRawKey.get(stripPeers(key, ctx.major)) ??
      (fromKey ? ctx.byNameVersion.get(`${fromKey.name}@${fromKey.version}`) : undefined);
    if (!from) continue;
    for (const [section, optional] of [
      ['dependencies', false],
      ['optionalDependencies', true],
    ] as const) {
      for (const [name, value] of importerDeps(e[section])) {
        const to = resolveDep(ctx, name, value, undefined);
        if (!to) continue;
        ctx.set.addEdge(from, to);
        if (optional) caps.set(`${from}\n${to}`, 'optional');
      }
    }
  }
}

function resolveDep(
  ctx: PnpmContext,
  name: string,
  value: string,
  importer: string | undefined,
): string | undefined {
  if (value.startsWith('link:')) {
    return ctx.byImporter.get(joinPath(importer ?? '', value.slice(5)));
  }
  const t = dependencyTarget(name, value, ctx.major);
  if (!t) return undefined;
  return ctx.byNameVersion.get(t.nameVersion) ?? ctx.byRawKey.get(t.rawKey);
}

// v5/v6 single-project lockfiles keep the sections at the top; workspaces use `importers`.
function importersOf(lock: Json): Map<string, Json> {
  const out = new Map<string, Json>();
  const importers = asRecord(lock['importers']);
  if (importers) {
    for (const key of Object.keys(importers)) {
      const imp = asRecord(importers[key]);
      if (imp) out.set(key, imp);
    }
  } else out.set('.', lock);
  return out;
}

// Sections map a name to a version (v5) or to `{ specifier, version }` (v6, v9).
function importerDeps(v: unknown): [string, string][] {
  const r = asRecord(v);
  if (!r) return [];
  const out: [string, string][] = [];
  for (const name of Object.keys(r)) {
    const value = asString(r[name]) ?? asString(asRecord(r[name])?.['version']);
    if (value) out.push([name, value]);
  }
  return out;
}
