import type { Component, Hash, Scope } from '../../model.js';

/** What a lockfile reader knows about one occurrence of a package. */
export interface PackageOccurrence {
  purl: string;
  namespace?: string | undefined;
  name: string;
  version?: string | undefined;
  hashes?: readonly Hash[];
  licenses?: readonly string[];
  scope?: Scope | undefined;
  author?: string | undefined;
  description?: string | undefined;
  /** Recorded for the first occurrence only (e.g. `custody:npm:path`). */
  properties?: Record<string, string>;
}

const BUNDLED = 'cdx:npm:package:bundled';

const SCOPE_RANK: Record<Scope, number> = { required: 3, optional: 2, dev: 1 };

/**
 * The components of one lockfile, one per purl: a package installed at several node_modules paths
 * (or resolved under several peer sets) is one component whose edges are the union of its
 * occurrences' edges and whose scope is the most required of theirs. The purl is the ref, so refs
 * are unique and the same for the same input.
 */
export class ComponentSet {
  readonly #byRef = new Map<string, Component>();
  readonly #edges = new Map<string, Set<string>>();
  readonly #sourcePath: string;

  constructor(sourcePath: string) {
    this.#sourcePath = sourcePath;
  }

  /** Record an occurrence; returns its ref. */
  add(o: PackageOccurrence): string {
    const seen = this.#byRef.get(o.purl);
    if (seen) {
      mergeOccurrence(seen, o);
      return o.purl;
    }
    const c: Component = {
      ref: o.purl,
      type: 'library',
      ecosystem: 'npm',
      name: o.name,
      purl: o.purl,
      hashes: o.hashes ? [...o.hashes] : [],
      licenses: o.licenses ? [...o.licenses] : [],
      dependsOn: [],
      sourcePath: this.#sourcePath,
    };
    if (o.namespace) c.namespace = o.namespace;
    if (o.version) c.version = o.version;
    if (o.scope) c.scope = o.scope;
    if (o.author) c.author = o.author;
    if (o.description) c.description = o.description;
    if (o.properties && Object.keys(o.properties).length > 0) c.properties = { ...o.properties };
    this.#byRef.set(o.purl, c);
    return o.purl;
  }

  has(ref: string): boolean {
    return this.#byRef.has(ref);
  }

  get(ref: string): Component | undefined {
    return this.#byRef.get(ref);
  }

  /** A dependency edge; self-edges (a package reaching another copy of itself) are dropped. */
  addEdge(from: string, to: string): void {
    if (from === to) return;
    let set = this.#edges.get(from);
    if (!set) {
      set = new Set();
      this.#edges.set(from, set);
    }
    set.add(to);
  }

  edgesOf(ref: string): ReadonlySet<string> | undefined {
    return this.#edges.get(ref);
  }

  /** Set a scope where none is known yet (readers that derive scopes from the graph). */
  setScope(ref: string, scope: Scope): void {
    const c = this.#byRef.get(ref);
    if (c) c.scope = scope;
  }

  /** The components, in first-seen order, with their edges (sorted, for stable output). */
  components(): Component[] {
    const out: Component[] = [];
    for (const c of this.#byRef.values()) {
      const edges = this.#edges.get(c.ref);
      c.dependsOn = edges ? [...edges].filter((r) => this.#byRef.has(r)).sort() : [];
      out.push(c);
    }
    return out;
  }
}

function mergeOccurrence(seen: Component, o: PackageOccurrence): void {
  if (o.scope && (!seen.scope || SCOPE_RANK[o.scope] > SCOPE_RANK[seen.scope])) {
    seen.scope = o.scope;
  }
  for (const h of o.hashes ?? []) {
    if (!seen.hashes.some((x) => x.alg === h.alg)) seen.hashes.push(h);
  }
  for (const l of o.licenses ?? []) if (!seen.licenses.includes(l)) seen.licenses.push(l);
  if (!seen.author && o.author) seen.author = o.author;
  // Bundled only if every copy is: one fetched on its own has (and records) a hash.
  if (seen.properties?.[BUNDLED] !== undefined && o.properties?.[BUNDLED] === undefined) {
    delete seen.properties[BUNDLED];
  }
  if (!seen.description && o.description) seen.description = o.description;
}

/** The most required of two scopes (undefined when neither is known). */
export function strongerScope(a: Scope | undefined, b: Scope | undefined): Scope | undefined {
  if (!a) return b;
  if (!b) return a;
  return SCOPE_RANK[a] >= SCOPE_RANK[b] ? a : b;
}
