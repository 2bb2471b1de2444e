import { base64ToHex, formatPurl } from '../../../core/index.js';
import type { Cataloger, CatalogResult, FileTree, Hash } from '../../model.js';
import {
  basename,
  ComponentCollector,
  guard,
  isRecord,
  lockfileError,
  parseJsonFile,
  readText,
  rec,
  str,
} from '../lockfile-support.js';

const NAME = 'dotnet-nuget-lock';

/**
 * NuGet's `packages.lock.json` (PackageReference lock file, version 1 and 2). Each key of
 * `dependencies` is a target framework (optionally `/<runtime id>`); the sections are merged, so a
 * package locked for several frameworks is one component listing them in
 * `custody:nuget:frameworks`. `Direct` entries are the project's direct dependencies,
 * `Transitive`/`CentralTransitive` are not, `Project` entries are other projects of the solution.
 * `contentHash` is the base64 SHA-512 of the .nupkg. Edges come from each entry's `dependencies`,
 * resolved within the same framework section. Untrusted input.
 */
export const nugetLockCataloger: Cataloger = {
  name: NAME,
  matches: (path) => basename(path) === 'packages.lock.json',
  sniff: (_path, head) =>
    /"version"\s*:\s*[12]\b/.test(head) &&
    /"dependencies"\s*:/.test(head) &&
    /"type"\s*:\s*"(Direct|Transitive|Project|CentralTransitive)"/.test(head),
  catalog(path: string, tree: FileTree): CatalogResult {
    const doc = parseJsonFile(readText(tree, path), path);
    if (!isRecord(doc) || !isRecord(doc['dependencies'])) {
      throw lockfileError(path, 'is not a NuGet lock file: no "dependencies" object');
    }
    return guard(path, () => buildNuget(rec(doc['dependencies']), path));
  },
};

function buildNuget(frameworks: Record<string, unknown>, path: string): CatalogResult {
  const out = new ComponentCollector(path);
  const frameworksOf = new Map<string, Set<string>>();
  for (const [framework, section] of Object.entries(frameworks)) {
    const entries = rec(section);
    const refOf = new Map<string, string>();
    for (const [name, raw] of Object.entries(entries)) {
      const e = rec(raw);
      const type = str(e['type']) ?? '';
      const version = str(e['resolved']);
      const hashes: Hash[] = [];
      const hex = base64ToHex(str(e['contentHash']) ?? '');
      if (hex?.length === 128) hashes.push({ alg: 'SHA-512', content: hex });
      const properties: Record<string, string> = {};
      if (type) properties['custody:nuget:type'] = type;
      const requested = str(e['requested']);
      if (requested) properties['custody:nuget:requested'] = requested;
      const ref = out.add({
        ecosystem: 'nuget',
        name,
        version,
        purl: formatPurl({ type: 'nuget', name, version }),
        hashes,
        properties,
      });
      refOf.set(name.toLowerCase(), ref);
      const fws = frameworksOf.get(ref) ?? new Set<string>();
      fws.add(framework);
      frameworksOf.set(ref, fws);
      if (type === 'Direct') out.addDirect(ref);
    }
    for (const [name, raw] of Object.entries(entries)) {
      const from = refOf.get(name.toLowerCase());
      for (const dep of Object.keys(rec(rec(raw)['dependencies']))) {
        const to = refOf.get(dep.toLowerCase());
        if (from && to) out.link(from, to);
      }
    }
  }
  const result = out.result(NAME);
  for (const c of result.components) {
    const fws = frameworksOf.get(c.ref);
    if (fws) c.properties = { ...c.properties, 'custody:nuget:frameworks': [...fws].join(',') };
  }
  return result;
}
