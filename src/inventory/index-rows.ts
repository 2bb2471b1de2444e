import { formatPurl, isCustodyError, parsePurl } from '../core/index.js';
import { type Component, licenseIds, type SbomDocument } from '../sbom/index.js';

/** One component of an SBOM as the index stores it. */
export interface IndexedComponent {
  /** Canonical purl, or null when the component has none (or an invalid one). */
  purl: string | null;
  /** `pkg:type/namespace/name`: the purl without version, qualifiers or subpath. */
  package: string | null;
  name: string;
  version: string | null;
  /** purl type (npm, pypi, maven, …), or the cataloger's ecosystem when there is no purl. */
  ecosystem: string | null;
  scope: string | null;
  /** Whether the SBOM's subject depends on it directly. */
  direct: boolean;
  /** Licences as declared, joined for display. */
  licenseText: string | null;
  /** The licence identifiers named, for licence search. */
  licenses: readonly string[];
  hashes: readonly { alg: string; value: string }[];
}

/**
 * Turn an SBOM into index rows: one per component, with its purl made canonical so that a search
 * for `pkg:npm/%40babel/core@7.0.0` finds `pkg:npm/@babel/core@7.0.0`. A component is direct when
 * the subject lists it among its dependencies; when the document has no dependency graph at all
 * every component is marked transitive, since nothing says otherwise.
 */
export function indexRows(doc: SbomDocument): IndexedComponent[] {
  const direct = new Set(doc.subject?.dependsOn ?? []);
  return doc.components.map((c) => indexRow(c, direct.has(c.ref)));
}

function indexRow(c: Component, direct: boolean): IndexedComponent {
  const key = purlKey(c.purl);
  const ids = new Set<string>();
  for (const l of c.licenses) for (const id of licenseIds(l)) ids.add(id);
  return {
    purl: key?.purl ?? null,
    package: key?.package ?? null,
    name: c.name,
    version: c.version ?? key?.version ?? null,
    ecosystem: key?.type ?? (c.ecosystem || null),
    scope: c.scope ?? null,
    direct,
    licenseText: joinLicenses(c.licenses),
    licenses: [...ids],
    hashes: c.hashes.map((h) => ({ alg: h.alg, value: h.content.toLowerCase() })),
  };
}

export interface PurlKey {
  purl: string;
  package: string;
  type: string;
  version: string | undefined;
}

// Ingest sees the same purls over and over (every release of a project, every project on a
// framework), and parsing and formatting one is most of indexRows' cost. The key depends on the
// string alone, so earlier answers stand; the cache starts again when full.
const KEYS_CACHED = 50_000;
const keys = new Map<string, PurlKey | undefined>();

/** The canonical purl and package key of `purl`, or undefined when it is absent or invalid. */
export function purlKey(purl: string | undefined): PurlKey | undefined {
  if (purl === undefined || purl === '') return undefined;
  if (keys.has(purl)) return keys.get(purl);
  if (keys.size >= KEYS_CACHED) keys.clear();
  // Frozen: every caller of this purl shares the one answer.
  const key = computePurlKey(purl);
  if (key) Object.freeze(key);
  keys.set(purl, key);
  return key;
}

function computePurlKey(purl: string): PurlKey | undefined {
  try {
    const p = parsePurl(purl);
    const pkg = packageKey(p.type, p.namespace, p.name);
    const canonical = formatPurl(p);
    return { purl: canonical, package: pkg, type: p.type, version: p.version };
  } catch (e) {
    if (isCustodyError(e)) return undefined;
    throw e;
  }
}

/** `pkg:type/namespace/name`, formatted the way formatPurl spells those parts. */
export function packageKey(type: string, namespace: string | undefined, name: string): string {
  return formatPurl({ type, namespace, name });
}

/** Several declared licences all apply: join them with AND, each expression in parentheses. */
function joinLicenses(ls: readonly string[]): string | null {
  if (ls.length === 0) return null;
  if (ls.length === 1) return ls[0] as string;
  return ls.map((l) => (/\s(OR|AND|WITH)\s/i.test(l) ? `(${l})` : l)).join(' AND ');
}
