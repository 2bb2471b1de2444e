import { decodeUtf8 } from '../../../core/index.js';
import type { Cataloger, CatalogResult, FileTree, Scope } from '../../model.js';
import { ComponentSet } from './component-set.js';
import type { InstalledPackage } from './installed-package.js';
import { createInstalledReader, type InstalledReader } from './installed-reader.js';
import { asString, dirOf, type Json, joinPath } from './json-guards.js';
import { guardLockfile, lockfileError } from './lockfile-error.js';
import { manifestDependencies, readManifest } from './manifest.js';
import { npmPurl, splitNpmName } from './npm-name.js';
import { hashesOf } from './package-lock-nodes.js';
import { assignScopesByReach, type ScopedRoot } from './reach-scope.js';
import { berryDescriptor, berryEntry, v1Entry, type YarnEntry } from './yarn-entries.js';
import { parseYarnSyntax, type YarnBlock, YarnSyntaxError } from './yarn-lock-syntax.js';

const NAME = 'yarn-lock';
const MAX_BYTES = 512 * 1024 * 1024;

/**
 * `yarn.lock`, classic (v1) and Berry (yarn 2+, `__metadata`). Edges follow each entry's
 * dependency ranges to the entry whose key lists that descriptor. Yarn records no scopes: they are
 * derived from the project's package.json (and its workspaces') when the tree holds them.
 */
export const yarnLockCataloger: Cataloger = {
  name: NAME,
  matches(path) {
    return path.slice(path.lastIndexOf('/') + 1) === 'yarn.lock';
  },
  sniff(_path, head) {
    return head.includes('# yarn lockfile v1') || /^__metadata:/m.test(head);
  },
  catalog(path, tree) {
    return guardLockfile(path, () => catalogYarnLock(path, tree));
  },
};

interface YarnContext {
  path: string;
  dir: string;
  tree: FileTree;
  berry: boolean;
  entries: YarnEntry[];
  byDescriptor: Map<string, YarnEntry>;
  byName: Map<string, YarnEntry | null>;
}

function catalogYarnLock(path: string, tree: FileTree): CatalogResult {
  const blocks = readBlocks(path, tree);
  const berry = '__metadata' in blocks;
  const ctx: YarnContext = {
    path,
    dir: dirOf(path),
    tree,
    berry,
    entries: [],
    byDescriptor: new Map(),
    byName: new Map(),
  };
  indexEntries(ctx, blocks);
  const set = new ComponentSet(path);
  addComponents(ctx, set, createInstalledReader(tree));
  const caps = new Map<string, Scope>();
  for (const e of ctx.entries) {
    if (!e.ref) continue;
    for (const d of e.deps) {
      const to = lookup(ctx, d.name, d.range)?.ref;
      if (!to) continue;
      set.addEdge(e.ref, to);
      if (d.optional) caps.set(`${e.ref}\n${to}`, 'optional');
    }
  }
  const project = projectOf(ctx);
  const roots = scopedRoots(ctx, project.manifest, caps);
  assignScopesByReach(set, roots, caps);
  const rootDependsOn = new Set<string>(roots.map((r) => r.ref));
  for (const e of project.entry?.deps ?? []) {
    const ref = lookup(ctx, e.name, e.range)?.ref;
    if (ref) rootDependsOn.add(ref);
  }
  for (const e of ctx.entries) if (e.workspace !== undefined && e.ref) rootDependsOn.add(e.ref);
  const result: CatalogResult = {
    cataloger: NAME,
    sourcePath: path,
    components: set.components(),
    rootDependsOn: [...rootDependsOn].sort(),
  };
  if (project.name) {
    const parts = splitNpmName(project.name);
    if (parts) {
      result.root = {
        name: project.name,
        ecosystem: 'npm',
        purl: npmPurl(parts, project.version),
      };
      if (project.version) result.root.version = project.version;
    }
  }
  return result;
}

function readBlocks(path: string, tree: FileTree): YarnBlock {
  const bytes = tree.read(path);
  if (!bytes) throw lockfileError(path, 'file not found or not a regular file');
  if (bytes.byteLength > MAX_BYTES) throw lockfileError(path, `is over ${MAX_BYTES} bytes`);
  try {
    return parseYarnSyntax(decodeUtf8(bytes));
  } catch (e) {
    if (e instanceof YarnSyntaxError)
      throw lockfileError(path, `is not a yarn.lock: ${e.message}`, e);
    throw e;
  }
}

function indexEntries(ctx: YarnContext, blocks: YarnBlock): void {
  for (const key of Object.keys(blocks)) {
    if (key === '__metadata') continue;
    const block = blocks[key];
    if (typeof block !== 'object') {
      throw lockfileError(ctx.path, `entry "${key}" has a value where a block of fields belongs`);
    }
    const entry = ctx.berry ? berryEntry(key, block) : v1Entry(key, block);
    if (!entry) continue;
    ctx.entries.push(entry);
    for (const d of entry.descriptors) if (!ctx.byDescriptor.has(d)) ctx.byDescriptor.set(d, entry);
    // A name resolved only once is a safe fallback for ranges the keys spell differently.
    const seen = ctx.byName.get(entry.name);
    ctx.byName.set(entry.name, seen === undefined ? entry : seen === entry ? entry : null);
  }
}

function lookup(ctx: YarnContext, name: string, range: string): YarnEntry | undefined {
  const exact = ctx.berry
    ? (ctx.byDescriptor.get(berryDescriptor(name, range)) ??
      ctx.byDescriptor.get(`${name}@${range}`))
    : ctx.byDescriptor.get(`${name}@${range}`);
  return exact ?? ctx.byName.get(name) ?? undefined;
}

function addComponents(ctx: YarnContext, set: ComponentSet, installed: InstalledReader): void {
  for (const e of ctx.entries) {
    if (e.workspace === '.') continue; // the project itself
    const parts = splitNpmName(e.name);
    if (!parts) continue;
    let version = e.version;
    let meta: InstalledPackage | undefined;
    if (e.workspace !== undefined) {
      // Berry writes 0.0.0-use.local for workspaces; their own package.json has the version.
      const ws = readManifest(ctx.tree, joinPath(ctx.dir, e.workspace, 'package.json'));
      version = asString(ws?.['version']);
    } else {
      meta = installed.read(() => joinPath(ctx.dir, 'node_modules', e.name, 'package.json'));
      if (meta && meta.version !== version) meta = undefined; // a different copy is hoisted there
    }
    if (!version && e.workspace === undefined) continue;
    const properties: Record<string, string> = {};
    if (e.checksum) properties['custody:yarn:checksum'] = e.checksum;
    if (e.resolution) properties['custody:yarn:resolution'] = e.resolution;
    if (e.patched) properties['custody:yarn:patched'] = 'true';
    if (e.workspace !== undefined) properties['custody:yarn:workspace'] = e.workspace;
    e.ref = set.add({
      purl: npmPurl(parts, version),
      namespace: parts.namespace,
      name: e.name,
      version,
      hashes: hashesOf(e.integrity),
      licenses: meta?.licenses ?? [],
      author: meta?.author,
      description: meta?.description,
      properties,
    });
  }
}

interface Project {
  name: string | undefined;
  version: string | undefined;
  manifest: Json | undefined;
  /** Berry's entry for the project itself (`workspace:.`). */
  entry: YarnEntry | undefined;
}

function projectOf(ctx: YarnContext): Project {
  const manifest = readManifest(ctx.tree, joinPath(ctx.dir, 'package.json'));
  const entry = ctx.entries.find((e) => e.workspace === '.');
  return {
    name: asString(manifest?.['name']) ?? entry?.name,
    version: asString(manifest?.['version']),
    manifest,
    entry,
  };
}

// The project's and each workspace's manifest give their direct dependencies' scopes; a workspace's
// edges to its dev (or optional) dependencies pass no more than that on.
function scopedRoots(
  ctx: YarnContext,
  manifest: Json | undefined,
  caps: Map<string, Scope>,
): ScopedRoot[] {
  const roots: ScopedRoot[] = [];
  if (manifest) {
    for (const d of manifestDependencies(manifest)) {
      const ref = lookup(ctx, d.name, d.range)?.ref;
      if (ref) roots.push({ ref, scope: d.scope });
    }
  }
  for (const e of ctx.entries) {
    if (e.workspace === undefined || e.workspace === '.' || !e.ref) continue;
    const ws = readManifest(ctx.tree, joinPath(ctx.dir, e.workspace, 'package.json'));
    if (!ws) continue;
    roots.push({ ref: e.ref, scope: 'required' });
    for (const d of manifestDependencies(ws)) {
      const ref = lookup(ctx, d.name, d.range)?.ref;
      if (ref && d.scope !== 'required') caps.set(`${e.ref}\n${ref}`, d.scope);
    }
  }
  return roots;
}
