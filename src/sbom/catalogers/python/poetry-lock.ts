import type { Cataloger, CatalogResult, FileTree, Hash, Scope } from '../../model.js';
import {
  arr,
  basename,
  ComponentCollector,
  guard,
  isRecord,
  prefixedHash,
  propagateScope,
  readText,
  rec,
  str,
} from '../lockfile-support.js';
import { parseTomlFile } from '../toml-file.js';
import { pep503Key, pypiDraft } from './pypi.js';
import { readSiblingPyproject } from './pyproject.js';

const NAME = 'python-poetry-lock';

/**
 * Poetry's `poetry.lock` (TOML `[[package]]`). Scope: `category = "dev"` or groups without `main`
 * → dev, `optional = true` → optional. Hashes from `files` (lock 2.x) or `[metadata.files]` (1.x).
 * Edges from `[package.dependencies]`. The project and its direct dependencies come from a sibling
 * `pyproject.toml` when there is one. Untrusted input.
 */
export const poetryLockCataloger: Cataloger = {
  name: NAME,
  matches: (path) => basename(path) === 'poetry.lock',
  sniff: (_path, head) =>
    /^\[\[package\]\]/m.test(head) &&
    (/poetry/i.test(head) || /^(category|optional|python-versions) = /m.test(head)),
  catalog(path: string, tree: FileTree): CatalogResult {
    const doc = parseTomlFile(readText(tree, path), path);
    return guard(path, () => buildPoetry(doc, path, tree));
  },
};

function buildPoetry(doc: Record<string, unknown>, path: string, tree: FileTree): CatalogResult {
  const out = new ComponentCollector(path);
  const legacyFiles = rec(rec(doc['metadata'])['files']);
  const byKey = new Map<string, string>();
  const pending: [string, Record<string, unknown>][] = [];
  for (const p of arr(doc['package'])) {
    if (!isRecord(p)) continue;
    const name = str(p['name']);
    if (!name) continue;
    const version = str(p['version']);
    const hashes = fileHashes(arr(p['files']).length > 0 ? p['files'] : legacyFiles[name]);
    const properties: Record<string, string> = {};
    const source = rec(p['source']);
    const sourceType = str(source['type']);
    if (sourceType) properties['custody:pypi:source'] = `${sourceType}:${str(source['url']) ?? ''}`;
    const ref = out.add(
      pypiDraft(name, version, {
        hashes,
        scope: poetryScope(p),
        description: str(p['description']),
        properties,
      }),
    );
    if (!byKey.has(pep503Key(name))) byKey.set(pep503Key(name), ref);
    pending.push([ref, rec(p['dependencies'])]);
  }
  for (const [ref, deps] of pending) {
    for (const dep of Object.keys(deps)) {
      const to = byKey.get(pep503Key(dep));
      if (to) out.link(ref, to);
    }
  }
  const project = readSiblingPyproject(tree, path);
  if (!project) return out.result(NAME);
  const resolve = (keys: string[]) => keys.flatMap((k) => byKey.get(k) ?? []);
  for (const r of [...resolve(project.runtime), ...resolve(project.dev)]) out.addDirect(r);
  applyScopes(out, resolve(project.runtime), resolve(project.optional), resolve(project.dev));
  return out.result(NAME, project.root);
}

/** Reachability from the project's declared dependency kinds, when the lock itself is silent. */
export function applyScopes(
  out: ComponentCollector,
  runtime: string[],
  optional: string[],
  dev: string[],
): void {
  propagateScope(out, dev, 'dev');
  propagateScope(out, optional, 'optional');
  propagateScope(out, runtime, 'required');
}

function poetryScope(p: Record<string, unknown>): Scope | undefined {
  if (p['optional'] === true) return 'optional';
  const category = str(p['category']);
  if (category) return category === 'main' ? 'required' : 'dev';
  const groups = arr(p['groups']).filter((g): g is string => typeof g === 'string');
  if (groups.length > 0) return groups.includes('main') ? 'required' : 'dev';
  return undefined;
}

function fileHashes(files: unknown): Hash[] {
  const out: Hash[] = [];
  for (const f of arr(files)) {
    const h = str(rec(f)['hash']);
    const parsed = h ? prefixedHash(h) : undefined;
    if (parsed) out.push(parsed);
  }
  return out;
}

export { fileHashes };
