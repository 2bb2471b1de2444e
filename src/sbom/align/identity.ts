import { parsePurl } from '../../core/purl/index.js';
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

/** Identity from the purl when it parses, else from the component's ecosystem/namespace/name. */
export function identityOf(
  c: Pick<Component, 'purl' | 'ecosystem' | 'namespace' | 'name'>,
): PackageIdentity {
  const fromPurl = c.purl ? safeParse(c.purl) : undefined;
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

function safeParse(purl: string): ReturnType<typeof parsePurl> | undefined {
  try {
    return parsePurl(purl);
  } catch {
    return undefined;
  }
}
