import type { Component } from '../model.js';

/**
 * A package's identity across documents and tools: purl type, namespace and name, without version,
 * qualifiers or subpath, normalised as the purl spec asks per type. Refs are generator-specific and
 * never used for matching.
 */
export interface PackageIdentity {
  /** `type/namespace/name` (namespace left out when absent), e.g. `npm/@babel/core`, `pypi/requests`. */
  key: string;
  type: string;
  namespace?: string;
  name: string;
}

/** Types whose names (and namespaces) are case-insensitive per the purl spec. */
const LOWER_CASE_TYPES = new Set(['bitbucket', 'composer', 'github', 'hex', 'nuget', 'pypi']);

/** Align and diff ask for the same purls' identities several times; strings make safe keys. */
const byPurl = new Map<string, PackageIdentity>();
const MAX_CACHED = 100_000;

/** Identity from the purl when it parses, else from the component's ecosystem/namespace/name. */
export function identityOf(
  c: Pick<Component, 'purl' | 'ecosystem' | 'namespace' | 'name'>,
): PackageIdentity {
  if (c.purl) {
    const hit = byPurl.get(c.purl);
    if (hit) return hit;
  }
  const fromPurl = c.purl ? safeParse(c.purl) : undefined;
  if (c.purl && fromPurl) {
    const identity = makeIdentity(fromPurl.type, fromPurl.namespace, fromPurl.name);
    if (byPurl.size >= MAX_CACHED) byPurl.clear();
    byPurl.set(c.purl, identity);
    return identity;
  }
  const type = (fromPurl?.type ?? c.ecosystem).toLowerCase();
  return makeIdentity(type, fromPurl ? fromPurl.namespace : c.namespace, fromPurl?.name ?? c.name);
}

/** The version to compare: the component's own, else the purl's, else ''. */
export function versionOf(c: Pick<Component, 'purl' | 'version'>): string {
  if (c.version !== undefined) return c.version.trim();
  const fromPurl = c.purl ? safeParse(c.purl) : undefined;
  return fromPurl?.version?.trim() ?? '';
}

function makeIdentity(
  type: string,
  namespace: string | undefined,
  rawName: string,
): PackageIdentity {
  let name = rawName;
  let ns = namespace === '' ? undefined : namespace;
  if (LOWER_CASE_TYPES.has(type)) {
    name = name.toLowerCase();
    ns = ns?.toLowerCase();
  }
  // PEP 503: runs of `-`, `_`, `.` are equivalent.
  if (type === 'pypi') name = name.replace(/[-_.]+/g, '-');
  const key = ns ? `${type}/${ns}/${name}` : `${type}/${name}`;
  return ns ? { key, type, namespace: ns, name } : { key, type, name };
}

interface PurlIdentityParts {
  type: string;
  namespace?: string | undefined;
  name: string;
  version?: string | undefined;
}

/**
 * The parts identity needs, read with a few string operations: core/purl's full parser validates
 * and normalises per type, which costs ~10 µs a purl and dominates align and diff on 20,000
 * components. Validity is the quality checks' business; here a purl that does not split cleanly
 * falls back to the component's fields.
 */
function safeParse(purl: string): PurlIdentityParts | undefined {
  if (!purl.startsWith('pkg:')) return undefined;
  let s = purl.slice(4).replace(/^\/+/, '');
  const hash = s.indexOf('#');
  if (hash >= 0) s = s.slice(0, hash);
  const q = s.indexOf('?');
  if (q >= 0) s = s.slice(0, q);
  const slash = s.indexOf('/');
  if (slash <= 0) return undefined;
  let path = s.slice(slash + 1).replace(/\/+$/, '');
  let version: string | undefined;
  const at = path.lastIndexOf('@');
  if (at > path.lastIndexOf('/')) {
    version = path.slice(at + 1);
    path = path.slice(0, at);
  }
  const segs = path.split('/').filter((x) => x !== '');
  const name = segs.pop();
  if (!name) return undefined;
  try {
    return {
      type: s.slice(0, slash).toLowerCase(),
      namespace: segs.length > 0 ? segs.map(decodeURIComponent).join('/') : undefined,
      name: decodeURIComponent(name),
      version: version === undefined ? undefined : decodeURIComponent(version),
    };
  } catch {
    return undefined; // malformed percent-encoding
  }
}
