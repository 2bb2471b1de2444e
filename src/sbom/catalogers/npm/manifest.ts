import { parseJson } from '../../../core/index.js';
import type { FileTree, Scope } from '../../model.js';
import { asRecord, asString, type Json } from './json-guards.js';

/**
 * Read a project's package.json (beside a lockfile, or a workspace's). Undefined when missing or
 * broken: the lockfile is the evidence, the manifest only tells direct dependencies apart.
 */
export function readManifest(tree: FileTree, path: string): Json | undefined {
  try {
    const bytes = tree.read(path);
    return bytes ? asRecord(parseJson(bytes, path, { maxDepth: 64 })) : undefined;
  } catch {
    return undefined;
  }
}

/** A manifest's direct dependencies with the scope each section gives them. */
export function manifestDependencies(
  manifest: Json,
): { name: string; range: string; scope: Scope }[] {
  const out: { name: string; range: string; scope: Scope }[] = [];
  const sections: [string, Scope][] = [
    ['dependencies', 'required'],
    ['optionalDependencies', 'optional'],
    ['devDependencies', 'dev'],
    ['peerDependencies', 'required'],
  ];
  for (const [section, scope] of sections) {
    const deps = asRecord(manifest[section]);
    if (!deps) continue;
    for (const name of Object.keys(deps))
      out.push({ name, range: asString(deps[name]) ?? '', scope });
  }
  return out;
}
