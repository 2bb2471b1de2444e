import { formatPurl } from '../../../core/index.js';
import type { Cataloger, CatalogResult, FileTree, Hash, Scope } from '../../model.js';
import {
  arr,
  basename,
  ComponentCollector,
  dirname,
  guard,
  hexHash,
  isRecord,
  joinPath,
  lockfileError,
  parseJsonFile,
  readOptionalText,
  readText,
  rec,
  str,
} from '../lockfile-support.js';

const NAME = 'php-composer-lock';

/**
 * Composer's `composer.lock`: `packages` are required, `packages-dev` dev; `dist.shasum` is a
 * SHA-1 when non-empty; `license` arrays, `authors` and `description` are kept; `require` keys
 * naming locked packages become edges (platform packages such as `php`, `ext-*` are skipped).
 * The project and its direct dependencies come from a sibling `composer.json`. purl
 * `pkg:composer/vendor/name@version`, vendor and name lower-cased as the purl spec says.
 * Untrusted input.
 */
export const composerLockCataloger: Cataloger = {
  name: NAME,
  matches: (path) => basename(path) === 'composer.lock',
  sniff: (_path, head) => /"packages"\s*:/.test(head) && /"content-hash"|"_readme"/.test(head),
  catalog(path: string, tree: FileTree): CatalogResult {
    const doc = parseJsonFile(readText(tree, path), path);
    if (!isRecord(doc) || !Array.isArray(doc['packages'])) {
      throw lockfileError(path, 'is not a composer.lock: no "packages" array');
    }
    const manifest = readOptionalText(tree, joinPath(dirname(path), 'composer.json'));
    return guard(path, () => buildComposer(doc, path, manifest));
  },
};

function buildComposer(
  doc: Record<string, unknown>,
  path: string,
  manifest: string | undefined,
): CatalogResult {
  const out = new ComponentCollector(path);
  const byName = new Map<string, string>();
  const pending: [string, Record<string, unknown>][] = [];
  const sections: [string, Scope][] = [
    ['packages', 'required'],
    ['packages-dev', 'dev'],
  ];
  for (const [section, scope] of sections) {
    for (const raw of arr(doc[section])) {
      const p = rec(raw);
      const full = str(p['name']);
      if (!full) continue;
      const id = composerIdentity(full, str(p['version']));
      const hashes: Hash[] = [];
      const shasum = str(rec(p['dist'])['shasum']);
      const h = shasum ? hexHash('sha1', shasum) : undefined;
      if (h) hashes.push(h);
      const authors = arr(p['authors'])
        .map((a) => str(rec(a)['name']))
        .filter((a): a is string => !!a);
      const licenses = arr(p['license']).filter((l): l is string => typeof l === 'string');
      const ref = out.add({
        ...id,
        hashes,
        licenses,
        scope,
        author: authors.length > 0 ? authors.join(', ') : undefined,
        description: str(p['description']),
        properties: sourceProperties(p),
      });
      byName.set(full.toLowerCase(), ref);
      pending.push([ref, rec(p['require'])]);
    }
  }
  for (const [ref, require] of pending) {
    for (const dep of Object.keys(require)) {
      const to = byName.get(dep.toLowerCase());
      if (to) out.link(ref, to);
    }
  }
  const project = manifestOf(manifest);
  if (!project) return out.result(NAME);
  for (const dep of project.deps) {
    const to = byName.get(dep.toLowerCase());
    if (to) out.addDirect(to);
  }
  if (!project.name) return out.result(NAME);
  const id = composerIdentity(project.name, project.version);
  const root: NonNullable<CatalogResult['root']> = {
    name: project.name,
    ecosystem: 'composer',
    purl: id.purl,
  };
  if (project.version) root.version = project.version;
  return out.result(NAME, root);
}

/** purl identity of `vendor/name`: both lower-cased (purl spec, composer type). */
export function composerIdentity(
  full: string,
  version: string | undefined,
): { ecosystem: string; namespace?: string; name: string; version?: string; purl: string } {
  const lower = full.toLowerCase();
  const slash = lower.indexOf('/');
  const namespace = slash === -1 ? undefined : lower.slice(0, slash);
  const name = slash === -1 ? lower : lower.slice(slash + 1);
  return {
    ecosystem: 'composer',
    name,
    purl: formatPurl({ type: 'composer', namespace, name, version }),
    ...(namespace ? { namespace } : {}),
    ...(version ? { version } : {}),
  };
}

function sourceProperties(p: Record<string, unknown>): Record<string, string> {
  const source = rec(p['source']);
  const url = str(source['url']);
  const reference = str(source['reference']);
  if (!url) return {};
  return { 'custody:composer:source': reference ? `${url}#${reference}` : url };
}

// A broken composer.json is not the lockfile's fault: without it we only lose the root.
function manifestOf(
  text: string | undefined,
): { name?: string; version?: string; deps: string[] } | undefined {
  if (text === undefined) return undefined;
  try {
    const doc = rec(parseJsonFile(text, 'composer.json'));
    const deps = [...Object.keys(rec(doc['require'])), ...Object.keys(rec(doc['require-dev']))];
    const out: { name?: string; version?: string; deps: string[] } = { deps };
    const name = str(doc['name']);
    const version = str(doc['version']);
    if (name) out.name = name;
    if (version) out.version = version;
    return out;
  } catch {
    return undefined;
  }
}
