import { formatPurl } from '../../../core/index.js';
import type { Cataloger, CatalogResult, FileTree, Scope } from '../../model.js';
import {
  basename,
  ComponentCollector,
  dirname,
  guard,
  joinPath,
  readOptionalText,
  readText,
} from '../lockfile-support.js';
import { type PomDependency, type PomModel, parsePom } from './pom-model.js';

const NAME = 'java-maven-pom';
const MAX_PARENTS = 16;
const MAX_EXPANSIONS = 32;
/** A value longer than this after expansion is a property bomb, not a version. */
const MAX_LENGTH = 4096;

/**
 * Maven `pom.xml`: the declared dependencies (the POM's own and those inherited from parents),
 * versions from the dependency itself or `dependencyManagement`, `${…}` resolved from properties
 * (own, inherited from parents found through `<relativePath>` or `../pom.xml` in the tree, and
 * `project.*` / `project.parent.*`). Scope: compile/runtime → required, test → dev,
 * provided/system or `<optional>true` → optional; `import` BOMs are not components. A version
 * that stays unresolved is dropped and kept as `custody:maven:version`. Profiles are not
 * evaluated. Untrusted input.
 */
export const mavenPomCataloger: Cataloger = {
  name: NAME,
  matches: (path) => basename(path) === 'pom.xml',
  sniff: (_path, head) =>
    /<project[\s>]/.test(head) && /maven\.apache\.org\/POM|<modelVersion>/.test(head),
  catalog(path: string, tree: FileTree): CatalogResult {
    const pom = parsePom(readText(tree, path), path);
    const chain = [pom, ...parentChain(pom, path, tree)];
    return guard(path, () => buildMaven(chain, path));
  },
};

// Parents whose POM is in the tree, nearest first; stops at the first one that is missing or
// does not carry the coordinates the child names (Maven would then fetch it from a repository).
function parentChain(pom: PomModel, path: string, tree: FileTree): PomModel[] {
  const out: PomModel[] = [];
  const seen = new Set([path]);
  let child = pom;
  let childPath = path;
  while (child.parent && out.length < MAX_PARENTS) {
    const rel = child.parent.relativePath ?? '../pom.xml';
    if (rel === '') break; // an empty relativePath means "look it up in the repository"
    let parentPath = joinPath(dirname(childPath), rel);
    if (!parentPath.endsWith('.xml')) parentPath = joinPath(parentPath, 'pom.xml');
    if (seen.has(parentPath)) break;
    seen.add(parentPath);
    const text = readOptionalText(tree, parentPath);
    if (text === undefined) break;
    let parent: PomModel;
    try {
      parent = parsePom(text, parentPath);
    } catch {
      break; // a broken parent is reported when that file itself is cataloged
    }
    if (parent.artifactId !== child.parent.artifactId) break;
    out.push(parent);
    child = parent;
    childPath = parentPath;
  }
  return out;
}

function buildMaven(chain: PomModel[], path: string): CatalogResult {
  const pom = chain[0] as PomModel;
  const props = effectiveProperties(chain);
  const resolve = (s: string | undefined) => (s === undefined ? undefined : expand(s, props));
  const managed = new Map<string, PomDependency>();
  for (let i = chain.length - 1; i >= 0; i--) {
    for (const d of (chain[i] as PomModel).managed) {
      managed.set(`${resolve(d.groupId)}:${resolve(d.artifactId)}`, d);
    }
  }
  const out = new ComponentCollector(path);
  const declared = new Map<string, PomDependency>();
  for (let i = chain.length - 1; i >= 0; i--) {
    for (const d of (chain[i] as PomModel).dependencies) {
      declared.set(`${resolve(d.groupId)}:${resolve(d.artifactId)}:${d.classifier ?? ''}`, d);
    }
  }
  for (const d of declared.values()) {
    const groupId = resolve(d.groupId);
    const artifactId = resolve(d.artifactId);
    if (!groupId || !artifactId) continue;
    const m = managed.get(`${groupId}:${artifactId}`);
    const rawScope = resolve(d.scope ?? m?.scope) ?? 'compile';
    if (rawScope === 'import') continue;
    const rawVersion = resolve(d.version ?? m?.version);
    const version = rawVersion && !rawVersion.includes('${') ? rawVersion : undefined;
    const type = resolve(d.type) ?? 'jar';
    const classifier = resolve(d.classifier);
    const qualifiers: Record<string, string> = {};
    if (classifier) qualifiers['classifier'] = classifier;
    if (type !== 'jar') qualifiers['type'] = type;
    const properties: Record<string, string> = { 'custody:maven:scope': rawScope };
    if (rawVersion && !version) properties['custody:maven:version'] = rawVersion;
    const optional = resolve(d.optional ?? m?.optional) === 'true';
    const ref = out.add({
      ecosystem: 'maven',
      namespace: groupId,
      name: artifactId,
      version,
      purl: formatPurl({
        type: 'maven',
        namespace: groupId,
        name: artifactId,
        version,
        qualifiers,
      }),
      scope: optional ? 'optional' : scopeOf(rawScope),
      properties,
    });
    out.addDirect(ref);
  }
  const groupId = resolve(pom.groupId ?? pom.parent?.groupId);
  const artifactId = resolve(pom.artifactId);
  if (!groupId || !artifactId) return out.result(NAME);
  const version = resolve(pom.version ?? pom.parent?.version);
  const cleanVersion = version && !version.includes('${') ? version : undefined;
  const root: NonNullable<CatalogResult['root']> = {
    name: `${groupId}:${artifactId}`,
    ecosystem: 'maven',
    purl: formatPurl({
      type: 'maven',
      namespace: groupId,
      name: artifactId,
      version: cleanVersion,
    }),
  };
  if (cleanVersion) root.version = cleanVersion;
  return out.result(NAME, root);
}

function scopeOf(scope: string): Scope {
  if (scope === 'test') return 'dev';
  if (scope === 'provided' || scope === 'system') return 'optional';
  return 'required';
}

// Properties visible to the first POM: parents' first, each child overriding, then project.*.
function effectiveProperties(chain: PomModel[]): Map<string, string> {
  const props = new Map<string, string>();
  for (let i = chain.length - 1; i >= 0; i--) {
    const p = chain[i] as PomModel;
    for (const [k, v] of Object.entries(p.properties)) props.set(k, v);
  }
  const pom = chain[0] as PomModel;
  const builtins: [string, string | undefined][] = [
    ['project.groupId', pom.groupId ?? pom.parent?.groupId],
    ['project.artifactId', pom.artifactId],
    ['project.version', pom.version ?? pom.parent?.version],
    ['project.name', pom.name],
    ['project.parent.groupId', pom.parent?.groupId],
    ['project.parent.artifactId', pom.parent?.artifactId],
    ['project.parent.version', pom.parent?.version],
  ];
  for (const [k, v] of builtins) {
    if (v === undefined) continue;
    props.set(k, v);
    props.set(`pom.${k.slice(8)}`, v); // Maven 2 aliases
    if (!k.startsWith('project.parent.')) props.set(k.slice(8), v); // ${version}, ${groupId}
  }
  return props;
}

// Expand ${name} repeatedly (properties may refer to properties), bounded against cycles.
function expand(s: string, props: Map<string, string>): string {
  let cur = s;
  for (let i = 0; i < MAX_EXPANSIONS && cur.includes('${') && cur.length < MAX_LENGTH; i++) {
    const next = cur.replace(/\$\{([^}]+)\}/g, (all, key: string) => props.get(key) ?? all);
    if (next === cur) break;
    cur = next;
  }
  return cur;
}
