import { parseJson } from '../../../core/index.js';
import type { Cataloger, CatalogResult, FileTree, Scope } from '../../model.js';
import { ComponentSet } from './component-set.js';
import { createInstalledReader } from './installed-reader.js';
import { asRecord, asString, dirOf, type Json, joinPath, keysOf } from './json-guards.js';
import { guardLockfile, lockfileError } from './lockfile-error.js';
import { readManifest } from './manifest.js';
import type { LockIndex, LockNode } from './node-resolve.js';
import { npmPurl, splitNpmName } from './npm-name.js';
import {
  hashesOf,
  isInstalledPath,
  nodesFromPackages,
  nodesFromV1Tree,
} from './package-lock-nodes.js';

const NAME = 'npm-package-lock';
const BUNDLED = 'cdx:npm:package:bundled';

/**
 * npm's `package-lock.json` and `npm-shrinkwrap.json`, lockfileVersion 1, 2 and 3. Versions 2
 * and 3 are read from `packages` (keyed by install path); version 1 from its nested `dependencies`
 * tree. Edges are resolved as node resolves `require`: nested node_modules first, then up.
 */
export const npmPackageLockCataloger: Cataloger = {
  name: NAME,
  matches(path) {
    const base = path.slice(path.lastIndexOf('/') + 1);
    return base === 'package-lock.json' || base === 'npm-shrinkwrap.json';
  },
  sniff(_path, head) {
    return (
      /^\s*\{/.test(head) &&
      /"lockfileVersion"\s*:/.test(head) &&
      /"(packages|dependencies)"\s*:/.test(head)
    );
  },
  catalog(path, tree) {
    return guardLockfile(path, () => catalogPackageLock(path, tree));
  },
};

/**
 * @throws SbomError SBOM_LOCKFILE_PARSE when the file is missing, not JSON, or not a package-lock.
 */
function catalogPackageLock(path: string, tree: FileTree): CatalogResult {
  const lock = readLock(path, tree);
  const dir = dirOf(path);
  const index = indexLock(lock, path, dir, tree);
  const root = index.byPath.get('');
  const set = new ComponentSet(path);
  addComponents(index, set, tree, dir);
  const rootDependsOn = new Set<string>();
  for (const node of index.byPath.values()) {
    const from = node.ref;
    if (node.path !== '' && from === undefined) continue;
    for (const dep of node.deps) {
      const to = index.resolve(node.path, dep)?.ref;
      if (to === undefined) continue; // an optional dependency not installed on this platform
      if (from === undefined) rootDependsOn.add(to);
      else set.addEdge(from, to);
    }
  }
  for (const ws of workspaceRefs(index)) rootDependsOn.add(ws);
  const result: CatalogResult = {
    cataloger: NAME,
    sourcePath: path,
    components: set.components(),
    rootDependsOn: [...rootDependsOn].sort(),
  };
  const rootName = root?.name || asString(lock['name']);
  const parts = rootName ? splitNpmName(rootName) : undefined;
  if (rootName && parts) {
    const version = root?.version ?? asString(lock['version']);
    result.root = { name: rootName, ecosystem: 'npm', purl: npmPurl(parts, version) };
    if (version) result.root.version = version;
  }
  return result;
}

function readLock(path: string, tree: FileTree): Json {
  const bytes = tree.read(path);
  if (!bytes) throw lockfileError(path, 'file not found or not a regular file');
  const lock = asRecord(parseJson(bytes, path));
  if (!lock) throw lockfileError(path, 'is not a JSON object; expected an npm package-lock');
  const version = lock['lockfileVersion'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw lockfileError(path, 'has no integer "lockfileVersion"; it is not an npm package-lock');
  }
  return lock;
}

// v2/v3 carry `packages`; v2 also keeps the v1 tree for old npm, which is only a fallback.
function indexLock(lock: Json, path: string, dir: string, tree: FileTree): LockIndex {
  const packages = asRecord(lock['packages']);
  if (packages) {
    const index = nodesFromPackages(packages);
    if (!index.byPath.has('')) index.add(rootFromTopLevel(lock, []));
    return index;
  }
  const deps = lock['dependencies'];
  if (deps !== undefined && !asRecord(deps)) {
    throw lockfileError(path, '"dependencies" is not an object');
  }
  return nodesFromV1Tree(lock, v1RootDeps(lock, dir, tree));
}

function rootFromTopLevel(lock: Json, deps: string[]): LockNode {
  return {
    path: '',
    name: asString(lock['name']) ?? '',
    version: asString(lock['version']),
    integrity: undefined,
    licenses: [],
    dev: false,
    optional: false,
    deps,
    bundled: false,
    link: undefined,
    ref: undefined,
  };
}

// A v1 lockfile does not list the project's own dependencies. Its package.json does; without
// it, the project's direct dependencies are taken to be the top-level packages nothing requires.
function v1RootDeps(lock: Json, dir: string, tree: FileTree): string[] {
  const manifest = readManifest(tree, joinPath(dir, 'package.json'));
  if (manifest) {
    return keysOf(manifest['dependencies']).concat(
      keysOf(manifest['devDependencies']),
      keysOf(manifest['optionalDependencies']),
      keysOf(manifest['peerDependencies']),
    );
  }
  const top = asRecord(lock['dependencies']) ?? {};
  const required = new Set<string>();
  for (const name of Object.keys(top)) {
    for (const dep of keysOf(asRecord(top[name])?.['requires'])) required.add(dep);
  }
  return Object.keys(top).filter((name) => !required.has(name));
}

// One component per purl; sets each entry's ref (links and skipped entries get none).
function addComponents(index: LockIndex, set: ComponentSet, tree: FileTree, dir: string): void {
  const linkNames = linkNamesByTarget(index);
  const installed = createInstalledReader(tree);
  for (const node of index.byPath.values()) {
    if (node.path === '' || node.link !== undefined) continue;
    const isWorkspace = !isInstalledPath(node.path);
    // A node_modules entry without a version identifies nothing (npm writes none only for links).
    if (!isWorkspace && !node.version) continue;
    const meta =
      node.licenses.length > 0
        ? undefined
        : installed.read(() => joinPath(dir, node.path, 'package.json'));
    const name =
      node.name ||
      linkNames.get(node.path) ||
      meta?.name ||
      node.path.slice(node.path.lastIndexOf('/') + 1);
    const parts = splitNpmName(name);
    if (!parts) continue;
    const properties: Record<string, string> = { 'custody:npm:path': node.path };
    if (isWorkspace) properties['custody:npm:workspace'] = 'true';
    // CycloneDX's npm taxonomy; quality gates read it (no hash is expected for a bundled copy).
    if (node.bundled) properties[BUNDLED] = 'true';
    node.ref = set.add({
      purl: npmPurl(parts, node.version),
      namespace: parts.namespace,
      name,
      version: node.version,
      hashes: hashesOf(node.integrity),
      licenses: node.licenses.length > 0 ? node.licenses : (meta?.licenses ?? []),
      scope: scopeOf(node),
      author: meta?.author,
      description: meta?.description,
      properties,
    });
  }
}

function scopeOf(node: LockNode): Scope {
  if (node.dev) return 'dev';
  return node.optional ? 'optional' : 'required';
}

// Workspace folders carry no name in the lockfile; the link npm made to them does.
function linkNamesByTarget(index: LockIndex): Map<string, string> {
  const out = new Map<string, string>();
  for (const node of index.byPath.values()) {
    if (node.link !== undefined && !out.has(node.link)) out.set(node.link, node.name);
  }
  return out;
}

// The project depends on its workspaces (npm links each into the root node_modules).
function workspaceRefs(index: LockIndex): string[] {
  const out: string[] = [];
  for (const node of index.byPath.values()) {
    if (node.ref !== undefined && !isInstalledPath(node.path)) out.push(node.ref);
  }
  return out;
}
