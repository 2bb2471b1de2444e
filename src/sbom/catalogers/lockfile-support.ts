import { CustodyError, decodeUtf8, parseJson } from '../../core/index.js';
import { SbomError } from '../errors.js';
import type { CatalogResult, Component, FileTree, Hash, Scope } from '../model.js';

/*
 * Helpers shared by the language catalogers (Python, Go, Rust, Ruby, PHP, .NET, Java). They live
 * here because those catalogers were written together; nothing in them is Python-specific.
 */

/** The SBOM_LOCKFILE_PARSE error every cataloger throws, naming the file and the problem. */
export function lockfileError(file: string, problem: string, cause?: unknown): SbomError {
  return new SbomError('SBOM_LOCKFILE_PARSE', `${file}: ${problem}`, {
    ...(cause === undefined ? {} : { cause }),
    details: { file },
  });
}

/**
 * The file's text, decoded as UTF-8.
 * @throws SbomError SBOM_LOCKFILE_PARSE when the tree has no such file.
 */
export function readText(tree: FileTree, path: string): string {
  const bytes = tree.read(path);
  if (bytes === undefined) throw lockfileError(path, 'the file does not exist or is not readable');
  return decodeUtf8(bytes);
}

/** A sibling file's text, or undefined when it is absent. */
export function readOptionalText(tree: FileTree, path: string): string | undefined {
  const bytes = tree.read(path);
  return bytes === undefined ? undefined : decodeUtf8(bytes);
}

/** Untrusted JSON → value; CoreError from the limits become SBOM_LOCKFILE_PARSE. */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return parseJson(text, file);
  } catch (e) {
    if (e instanceof CustodyError) throw lockfileError(file, e.message, e);
    throw e;
  }
}

/** Untrusted TOML → table; smol-toml's errors become SBOM_LOCKFILE_PARSE. */
export function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? path : path.slice(i + 1);
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}

/** Join and normalise POSIX paths within the tree (`..` above the root is dropped). */
export function joinPath(dir: string, rel: string): string {
  const out: string[] = [];
  for (const seg of `${dir}/${rel}`.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function str(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined;
}

export function arr(x: unknown): unknown[] {
  return Array.isArray(x) ? x : [];
}

export function rec(x: unknown): Record<string, unknown> {
  return isRecord(x) ? x : {};
}

const HEX_ALGS: Record<string, [string, number]> = {
  md5: ['MD5', 32],
  sha1: ['SHA-1', 40],
  sha256: ['SHA-256', 64],
  sha384: ['SHA-384', 96],
  sha512: ['SHA-512', 128],
};

/** `sha256:<hex>` (pip, poetry, uv, pdm spelling) → Hash; undefined when not a known hex digest. */
export function prefixedHash(s: string): Hash | undefined {
  const m = /^([A-Za-z0-9-]+)[:=]([0-9A-Fa-f]+)$/.exec(s.trim());
  if (!m?.[1] || !m[2]) return undefined;
  return hexHash(m[1].toLowerCase().replace('-', ''), m[2]);
}

/** A Hash from an algorithm key (`sha256`, `sha1`, …) and hex; undefined when the length is wrong. */
export function hexHash(alg: string, hex: string): Hash | undefined {
  const known = HEX_ALGS[alg];
  if (!known || hex.length !== known[1] || !/^[0-9A-Fa-f]+$/.test(hex)) return undefined;
  return { alg: known[0], content: hex.toLowerCase() };
}

/** What a cataloger knows about one package; the collector turns it into a Component. */
export interface ComponentDraft {
  ecosystem: string;
  namespace?: string | undefined;
  name: string;
  version?: string | undefined;
  /** The purl, which is also the ref; omit only when the purl type refuses these coordinates. */
  purl?: string | undefined;
  hashes?: readonly Hash[];
  licenses?: readonly string[];
  scope?: Scope | undefined;
  supplier?: string | undefined;
  author?: string | undefined;
  description?: string | undefined;
  properties?: Record<string, string>;
}

const SCOPE_RANK: Record<Scope, number> = { dev: 1, optional: 2, required: 3 };

interface Entry {
  component: Component;
  hashKeys: Set<string>;
  deps: Set<string>;
}

/**
 * Collects components keyed by purl (the ref), merging duplicates: hashes, licences and edges are
 * unioned, the strongest scope wins (required > optional > dev), first non-empty text wins.
 */
export class ComponentCollector {
  private readonly entries = new Map<string, Entry>();
  private readonly direct = new Set<string>();

  constructor(private readonly sourcePath: string) {}

  /** Add or merge a component; returns its ref. */
  add(d: ComponentDraft): string {
    const ref =
      d.purl ??
      `${d.ecosystem}:${d.namespace ? `${d.namespace}/` : ''}${d.name}@${d.version ?? ''}`;
    let e = this.entries.get(ref);
    if (!e) {
      const c: Component = {
        ref,
        type: 'library',
        ecosystem: d.ecosystem,
        name: d.name,
        hashes: [],
        licenses: [],
        dependsOn: [],
        sourcePath: this.sourcePath,
      };
      if (d.purl) c.purl = d.purl;
      if (d.namespace) c.namespace = d.namespace;
      if (d.version) c.version = d.version;
      e = { component: c, hashKeys: new Set(), deps: new Set() };
      this.entries.set(ref, e);
    }
    const c = e.component;
    for (const h of d.hashes ?? []) {
      const key = `${h.alg}:${h.content}`;
      if (!e.hashKeys.has(key)) {
        e.hashKeys.add(key);
        c.hashes.push(h);
      }
    }
    for (const l of d.licenses ?? []) if (l && !c.licenses.includes(l)) c.licenses.push(l);
    if (d.scope && (!c.scope || SCOPE_RANK[d.scope] > SCOPE_RANK[c.scope])) c.scope = d.scope;
    if (d.supplier && !c.supplier) c.supplier = d.supplier;
    if (d.author && !c.author) c.author = d.author;
    if (d.description && !c.description) c.description = d.description;
    if (d.properties && Object.keys(d.properties).length > 0) {
      c.properties = { ...d.properties, ...c.properties };
    }
    return ref;
  }

  has(ref: string): boolean {
    return this.entries.has(ref);
  }

  get(ref: string): Component | undefined {
    return this.entries.get(ref)?.component;
  }

  /** Record that `from` depends directly on `to` (ignored when either is unknown at the end). */
  link(from: string, to: string): void {
    if (from !== to) this.entries.get(from)?.deps.add(to);
  }

  /** Record a direct dependency of the project itself. */
  addDirect(ref: string): void {
    this.direct.add(ref);
  }

  /** Raise the scope of `ref` (used after a reachability walk). */
  raiseScope(ref: string, scope: Scope): void {
    const c = this.entries.get(ref)?.component;
    if (c && (!c.scope || SCOPE_RANK[scope] > SCOPE_RANK[c.scope])) c.scope = scope;
  }

  /** Edges of `ref` recorded so far. */
  depsOf(ref: string): Iterable<string> {
    return this.entries.get(ref)?.deps ?? [];
  }

  result(cataloger: string, root?: CatalogResult['root']): CatalogResult {
    const components: Component[] = [];
    for (const e of this.entries.values()) {
      e.component.dependsOn = [...e.deps].filter((r) => this.entries.has(r));
      components.push(e.component);
    }
    const out: CatalogResult = {
      cataloger,
      sourcePath: this.sourcePath,
      components,
      rootDependsOn: [...this.direct].filter((r) => this.entries.has(r)),
    };
    if (root) out.root = root;
    return out;
  }
}

/**
 * Walk edges from `starts` and raise every reached component to `scope`: a package reachable from
 * the project's runtime dependencies is required even when a dev tool also pulls it in.
 */
export function propagateScope(
  collector: ComponentCollector,
  starts: Iterable<string>,
  scope: Scope,
): void {
  const seen = new Set<string>();
  const stack = [...starts];
  while (stack.length > 0) {
    const ref = stack.pop() as string;
    if (seen.has(ref) || !collector.has(ref)) continue;
    seen.add(ref);
    collector.raiseScope(ref, scope);
    for (const d of collector.depsOf(ref)) if (!seen.has(d)) stack.push(d);
  }
}

/** Run `fn`, turning any other error (a TypeError on odd shapes, a purl refused) into SBOM_LOCKFILE_PARSE. */
export function guard<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SbomError) throw e;
    // e.g. CoreError PURL_INVALID for a package name the purl type refuses: still the file's fault.
    const why =
      e instanceof CustodyError
        ? e.message
        : `could not be read: ${(e as Error)?.message ?? String(e)}`;
    throw lockfileError(file, why, e);
  }
}
