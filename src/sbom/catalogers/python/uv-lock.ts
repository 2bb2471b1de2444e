import { formatPurl } from '../../../core/index.js';
import type { Cataloger, CatalogResult, FileTree, Hash } from '../../model.js';
import {
  arr,
  basename,
  ComponentCollector,
  guard,
  isRecord,
  prefixedHash,
  readText,
  rec,
  str,
} from '../lockfile-support.js';
import { parseTomlFile } from '../toml-file.js';
import { applyScopes } from './poetry-lock.js';
import { normalizePypiName, pep503Key, pypiDraft } from './pypi.js';

const NAME = 'python-uv-lock';

type Pkg = Record<string, unknown>;

/**
 * uv's `uv.lock` (TOML). The package whose source is `editable`/`virtual` `"."` is the project;
 * its `dependencies` are required, `optional-dependencies` optional, `dev-dependencies` dev, and
 * every package reached from them takes that scope. Hashes from `sdist` and `wheels`; edges from
 * `dependencies` (resolved by name, or name + version when several versions are locked).
 * Untrusted input.
 */
export const uvLockCataloger: Cataloger = {
  name: NAME,
  matches: (path) => basename(path) === 'uv.lock',
  sniff: (_path, head) =>
    /^\[\[package\]\]/m.test(head) &&
    (/^requires-python = /m.test(head) ||
      /^source = \{ (registry|editable|virtual) = /m.test(head)),
  catalog(path: string, tree: FileTree): CatalogResult {
    const doc = parseTomlFile(readText(tree, path), path);
    return guard(path, () => buildUv(doc, path));
  },
};

function buildUv(doc: Record<string, unknown>, path: string): CatalogResult {
  const out = new ComponentCollector(path);
  const packages = arr(doc['package']).filter(isRecord) as Pkg[];
  const rootPkg = packages.find((p) => {
    const src = rec(p['source']);
    return str(src['editable']) === '.' || str(src['virtual']) === '.';
  });
  // name → [version, ref][]: uv locks several versions of one name when resolution forks.
  const byName = new Map<string, [string | undefined, string][]>();
  for (const p of packages) {
    if (p === rootPkg) continue;
    const name = str(p['name']);
    if (!name) continue;
    const version = str(p['version']);
    const properties: Record<string, string> = {};
    const src = rec(p['source']);
    const [kind] = Object.keys(src);
    if (kind && kind !== 'registry') {
      properties['custody:pypi:source'] = `${kind}:${String(src[kind])}`;
    }
    const ref = out.add(pypiDraft(name, version, { hashes: uvHashes(p), properties }));
    const key = pep503Key(name);
    byName.set(key, [...(byName.get(key) ?? []), [version, ref]]);
  }
  const resolve = (dep: unknown): string[] => {
    const d = rec(dep);
    const name = str(d['name']);
    const cands = name ? byName.get(pep503Key(name)) : undefined;
    if (!cands) return [];
    if (cands.length === 1) return [(cands[0] as [string | undefined, string])[1]];
    const v = str(d['version']);
    const hit = cands.find(([cv]) => cv === v);
    return hit ? [hit[1]] : cands.map(([, r]) => r);
  };
  for (const p of packages) {
    if (p === rootPkg) continue;
    const name = str(p['name']);
    if (!name) continue;
    const from = resolve({ name, version: str(p['version']) });
    const deps = [
      ...arr(p['dependencies']),
      ...Object.values(rec(p['optional-dependencies'])).flatMap(arr),
    ];
    for (const f of from) for (const d of deps) for (const to of resolve(d)) out.link(f, to);
  }
  if (!rootPkg) return out.result(NAME);
  const runtime = arr(rootPkg['dependencies']).flatMap(resolve);
  const optional = Object.values(rec(rootPkg['optional-dependencies']))
    .flatMap(arr)
    .flatMap(resolve);
  const dev = Object.values(rec(rootPkg['dev-dependencies'])).flatMap(arr).flatMap(resolve);
  for (const r of [...runtime, ...optional, ...dev]) out.addDirect(r);
  applyScopes(out, runtime, optional, dev);
  const rootName = normalizePypiName(str(rootPkg['name']) ?? 'project');
  const rootVersion = str(rootPkg['version']);
  const root: NonNullable<CatalogResult['root']> = {
    name: rootName,
    ecosystem: 'pypi',
    purl: formatPurl({ type: 'pypi', name: rootName, version: rootVersion }),
  };
  if (rootVersion) root.version = rootVersion;
  return out.result(NAME, root);
}

function uvHashes(p: Pkg): Hash[] {
  const out: Hash[] = [];
  for (const f of [p['sdist'], ...arr(p['wheels'])]) {
    const h = str(rec(f)['hash']);
    const parsed = h ? prefixedHash(h) : undefined;
    if (parsed) out.push(parsed);
  }
  return out;
}
