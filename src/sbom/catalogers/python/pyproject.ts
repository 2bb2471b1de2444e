import { decodeUtf8, formatPurl } from '../../../core/index.js';
import type { CatalogResult, FileTree } from '../../model.js';
import { arr, dirname, isRecord, joinPath, rec, str } from '../lockfile-support.js';
import { parseTomlFile } from '../toml-file.js';
import { normalizePypiName, parsePep508, pep503Key } from './pypi.js';

/** What a sibling `pyproject.toml` says about the project a lockfile belongs to. */
export interface PyprojectInfo {
  root: NonNullable<CatalogResult['root']>;
  /** PEP 503 keys of the runtime dependencies. */
  runtime: string[];
  /** PEP 503 keys of dev-group dependencies (poetry groups, PEP 735 groups, pdm/uv dev). */
  dev: string[];
  /** PEP 503 keys of optional (extras) dependencies. */
  optional: string[];
}

/**
 * Read `pyproject.toml` beside `lockPath`, if any (PEP 621 `[project]` or `[tool.poetry]`). A
 * broken sibling is not the lockfile's fault: it is ignored rather than failing the catalog.
 */
export function readSiblingPyproject(tree: FileTree, lockPath: string): PyprojectInfo | undefined {
  const bytes = tree.read(joinPath(dirname(lockPath), 'pyproject.toml'));
  if (!bytes) return undefined;
  let doc: Record<string, unknown>;
  try {
    doc = parseTomlFile(decodeUtf8(bytes), 'pyproject.toml');
  } catch {
    return undefined;
  }
  const project = rec(doc['project']);
  const poetry = rec(rec(doc['tool'])['poetry']);
  const name = str(project['name']) ?? str(poetry['name']);
  if (!name) return undefined;
  const version = str(project['version']) ?? str(poetry['version']);
  const norm = normalizePypiName(name);
  const root: PyprojectInfo['root'] = {
    name: norm,
    ecosystem: 'pypi',
    purl: formatPurl({ type: 'pypi', name: norm, version }),
  };
  if (version) root.version = version;
  const runtime = [
    ...pep508Keys(arr(project['dependencies'])),
    ...Object.keys(rec(poetry['dependencies']))
      .filter((k) => k.toLowerCase() !== 'python')
      .map(pep503Key),
  ];
  const optional = Object.values(rec(project['optional-dependencies'])).flatMap((v) =>
    pep508Keys(arr(v)),
  );
  const dev = [
    ...Object.values(rec(doc['dependency-groups'])).flatMap((v) => pep508Keys(arr(v))),
    ...Object.keys(rec(poetry['dev-dependencies'])).map(pep503Key),
    ...Object.values(rec(poetry['group'])).flatMap((g) =>
      Object.keys(rec(rec(g)['dependencies'])).map(pep503Key),
    ),
    ...Object.values(rec(rec(rec(doc['tool'])['pdm'])['dev-dependencies'])).flatMap((v) =>
      pep508Keys(arr(v)),
    ),
    ...pep508Keys(arr(rec(rec(doc['tool'])['uv'])['dev-dependencies'])),
  ];
  return { root, runtime, dev, optional };
}

function pep508Keys(list: unknown[]): string[] {
  const out: string[] = [];
  for (const x of list) {
    const r = typeof x === 'string' ? parsePep508(x) : undefined;
    if (r) out.push(pep503Key(r.name));
    else if (isRecord(x)) continue; // PEP 735 {include-group = …}
  }
  return out;
}
