import type { Cataloger, CatalogResult, FileTree, Hash, Scope } from '../../model.js';
import {
  arr,
  basename,
  ComponentCollector,
  guard,
  isRecord,
  lockfileError,
  parseJsonFile,
  prefixedHash,
  readText,
  rec,
  str,
} from '../lockfile-support.js';
import { pinnedVersion, pypiDraft } from './pypi.js';

const NAME = 'python-pipfile-lock';

/**
 * Pipenv's `Pipfile.lock` (JSON): `default` → required, `develop` → dev; `version: "==x"`,
 * `hashes`, `markers`; git/path entries have no version. The lock is flat (no edges, no record
 * of which packages are direct). Untrusted input.
 */
export const pipfileLockCataloger: Cataloger = {
  name: NAME,
  matches: (path) => basename(path) === 'Pipfile.lock',
  sniff: (_path, head) => /"_meta"\s*:/.test(head) && /"pipfile-spec"|"default"\s*:/.test(head),
  catalog(path: string, tree: FileTree): CatalogResult {
    const doc = parseJsonFile(readText(tree, path), path);
    if (!isRecord(doc) || (!isRecord(doc['default']) && !isRecord(doc['develop']))) {
      throw lockfileError(path, 'is not a Pipfile.lock: no "default" or "develop" object');
    }
    return guard(path, () => buildPipfile(doc, path));
  },
};

function buildPipfile(doc: Record<string, unknown>, path: string): CatalogResult {
  const out = new ComponentCollector(path);
  const sections: [string, Scope][] = [
    ['default', 'required'],
    ['develop', 'dev'],
  ];
  for (const [section, scope] of sections) {
    for (const [name, raw] of Object.entries(rec(doc[section]))) {
      const entry = rec(raw);
      const version = pinnedVersion(str(entry['version']) ?? '');
      const hashes: Hash[] = [];
      for (const h of arr(entry['hashes'])) {
        const parsed = typeof h === 'string' ? prefixedHash(h) : undefined;
        if (parsed) hashes.push(parsed);
      }
      const properties: Record<string, string> = {};
      const markers = str(entry['markers']);
      if (markers) properties['custody:pypi:marker'] = markers;
      const git = str(entry['git']);
      if (git) properties['custody:pypi:source'] = `git:${git}@${str(entry['ref']) ?? ''}`;
      const localPath = str(entry['path']) ?? str(entry['file']);
      if (localPath) properties['custody:pypi:source'] = `path:${localPath}`;
      out.add(pypiDraft(name, version, { hashes, scope, properties }));
    }
  }
  return out.result(NAME);
}
