import type { CatalogResult, Component, SbomDocument } from './model.js';

export interface BuildOptions {
  /** The artifact the SBOM describes; defaults to the single project root the catalogers found. */
  subject?: Component;
  /** Name for the subject when neither the caller nor the lockfiles name one (the folder's name). */
  fallbackName: string;
  /** ISO 8601 creation time; omitted when undefined (reproducible output without SOURCE_DATE_EPOCH). */
  timestamp?: string;
  tool: { name: string; version: string; vendor?: string };
  /** Document facts: lockfile digests, build environment. */
  properties?: Record<string, string>;
}

/**
 * Merge what the catalogers found into one format-neutral SBOM. Pure and deterministic: components
 * and edges are sorted, so identical input gives an identical document. The serial number is left
 * for the writer's caller to set (it may be derived from the content).
 */
export function buildSbom(results: readonly CatalogResult[], opts: BuildOptions): SbomDocument {
  const byRef = new Map<string, Component>();
  for (const r of results) {
    for (const c of r.components) mergeInto(byRef, c);
  }
  const subject = opts.subject ?? subjectFromRoots(results, opts.fallbackName);
  const rootEdges = new Set<string>(subject.dependsOn);
  for (const r of results) for (const ref of r.rootDependsOn) rootEdges.add(ref);
  byRef.delete(subject.ref);
  const components = [...byRef.values()].sort(byRefOrder);
  for (const c of components) c.dependsOn = keepKnown(c.dependsOn, byRef, c.ref);
  const doc: SbomDocument = {
    format: 'cyclonedx',
    specVersion: '1.6',
    version: 1,
    name: subject.name,
    tools: [{ name: opts.tool.name, version: opts.tool.version, ...vendorOf(opts.tool) }],
    authors: [],
    subject: { ...subject, dependsOn: keepKnown([...rootEdges], byRef, subject.ref) },
    components,
    hasDependencyGraph: true,
    properties: sortedRecord({
      ...opts.properties,
      ...Object.fromEntries(results.map((r) => [`custody:cataloger:${r.sourcePath}`, r.cataloger])),
    }),
    unmapped: [],
  };
  if (opts.timestamp !== undefined) doc.timestamp = opts.timestamp;
  return doc;
}

function vendorOf(tool: BuildOptions['tool']): { vendor?: string } {
  return tool.vendor === undefined ? {} : { vendor: tool.vendor };
}

// Two catalogers (package-lock.json and node_modules/.package-lock.json, or two lockfiles of a
// monorepo) can report the same package: keep one, with the union of what each knew.
function mergeInto(byRef: Map<string, Component>, c: Component): void {
  const seen = byRef.get(c.ref);
  if (!seen) {
    byRef.set(c.ref, { ...c, hashes: [...c.hashes], licenses: [...c.licenses] });
    return;
  }
  for (const h of c.hashes) {
    if (!seen.hashes.some((x) => x.alg === h.alg)) seen.hashes.push(h);
  }
  for (const l of c.licenses) if (!seen.licenses.includes(l)) seen.licenses.push(l);
  seen.dependsOn = [...new Set([...seen.dependsOn, ...c.dependsOn])];
  const scope = strongerScope(seen.scope, c.scope);
  if (scope !== undefined) seen.scope = scope;
  if (seen.supplier === undefined && c.supplier !== undefined) seen.supplier = c.supplier;
  if (seen.author === undefined && c.author !== undefined) seen.author = c.author;
  if (seen.description === undefined && c.description !== undefined) {
    seen.description = c.description;
  }
  if (seen.cpe === undefined && c.cpe !== undefined) seen.cpe = c.cpe;
}

const SCOPE_RANK = { required: 3, optional: 2, dev: 1 } as const;

function strongerScope(a: Component['scope'], b: Component['scope']): Component['scope'] {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return SCOPE_RANK[a] >= SCOPE_RANK[b] ? a : b;
}

function subjectFromRoots(results: readonly CatalogResult[], fallbackName: string): Component {
  const roots = results.flatMap((r) => (r.root ? [r.root] : []));
  const unique = new Map(roots.map((r) => [`${r.ecosystem}/${r.name}@${r.version ?? ''}`, r]));
  const only = unique.size === 1 ? [...unique.values()][0] : undefined;
  const name = only?.name ?? fallbackName;
  const subject: Component = {
    ref: only?.purl ?? `custody:subject:${name}`,
    type: 'application',
    ecosystem: only?.ecosystem ?? 'generic',
    name,
    hashes: [],
    licenses: [],
    dependsOn: [],
  };
  if (only?.version !== undefined) subject.version = only.version;
  if (only?.purl !== undefined) subject.purl = only.purl;
  return subject;
}

// CycloneDX requires every dependsOn ref to name a component in the document; a lockfile can name
// packages it does not lock (optional platform packages), so dangling edges are dropped.
function keepKnown(refs: readonly string[], byRef: Map<string, Component>, self: string): string[] {
  const out = new Set<string>();
  for (const r of refs) if (r !== self && byRef.has(r)) out.add(r);
  return [...out].sort();
}

function byRefOrder(a: Component, b: Component): number {
  return a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0;
}

function sortedRecord(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
