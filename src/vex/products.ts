import { canonicalize, formatPurl, parsePurl } from '../core/index.js';
import {
  compareVersions,
  ecosystemScheme,
  parseVers,
  type VersRange,
  versContains,
} from '../core/vers/index.js';
import type { VexProduct } from '../formats/index.js';

/**
 * A product as the model has it. `purl` is typed optional here: formats/ makes it optional for
 * products that sources name by identifiers only (a CycloneDX bom-ref, a CSAF product name).
 */
export type ProductRef = Omit<VexProduct, 'purl'> & { readonly purl?: string | undefined };

/** Which package a product names: its purl without version, else its identifiers. */
export function productKey(p: ProductRef): string {
  return p.purl !== undefined
    ? purlBase(p.purl)
    : `identifiers:${canonicalize(p.identifiers ?? {})}`;
}

/** The vers scheme that orders a product's versions: its purl type's, its range's, or generic. */
export function productScheme(p: ProductRef): string {
  if (p.purl !== undefined) return ecosystemScheme(parsePurl(p.purl).type);
  if (p.versions !== undefined && 'range' in p.versions) return parseVers(p.versions.range).scheme;
  return 'generic';
}

/** The purl without its version (qualifiers and subpath kept): the package a product names. */
export function purlBase(purl: string): string {
  const { version: _drop, ...rest } = parsePurl(purl);
  return formatPurl(rest);
}

/** The purl with `version` as its version. */
export function withVersion(purl: string, version: string): string {
  return formatPurl({ ...parsePurl(purl), version });
}

/** The version in a purl, if it has one. */
export function purlVersion(purl: string): string | undefined {
  return parsePurl(purl).version;
}

/** The versions a product covers: every version, an explicit list, or a vers range. */
export type VersionSet =
  | { kind: 'all' }
  | { kind: 'list'; versions: readonly string[] }
  | { kind: 'range'; range: VersRange };

/** Which versions of its package `p` covers (VexProduct's rule: versions, else the purl's). */
export function versionSetOf(p: ProductRef): VersionSet {
  if (p.versions !== undefined) {
    return 'range' in p.versions
      ? { kind: 'range', range: parseVers(p.versions.range) }
      : { kind: 'list', versions: p.versions.list };
  }
  const v = p.purl === undefined ? undefined : purlVersion(p.purl);
  return v === undefined ? { kind: 'all' } : { kind: 'list', versions: [v] };
}

/** True when product `p` covers the release `release` (a purl with its version). */
export function productCovers(p: ProductRef, release: string): boolean {
  if (productKey(p) !== purlBase(release)) return false;
  const v = purlVersion(release);
  const set = versionSetOf(p);
  if (set.kind === 'all') return true;
  if (v === undefined) return false;
  if (set.kind === 'range') return versContains(set.range, v);
  const scheme = ecosystemScheme(parsePurl(release).type);
  return set.versions.some((x) => compareVersions(scheme, x, v) === 0);
}

/**
 * Versions both products cover (same package), for edge case 2's check; `undefined` when there
 * are none. Lists are compared version by version, a list against a range by containment, and
 * two ranges by their intervals ('!=' exclusions ignored, so an overlap only at an excluded
 * version is still reported: the safe side).
 */
export function sharedVersions(a: ProductRef, b: ProductRef): string | undefined {
  if (productKey(a) !== productKey(b)) return undefined;
  const scheme = productScheme(a);
  const x = versionSetOf(a);
  const y = versionSetOf(b);
  if (x.kind === 'all') return y.kind === 'list' ? y.versions[0] : 'every version';
  if (y.kind === 'all') return x.kind === 'list' ? x.versions[0] : 'every version';
  if (x.kind === 'list' && y.kind === 'list') {
    return x.versions.find((v) => y.versions.some((w) => compareVersions(scheme, v, w) === 0));
  }
  if (x.kind === 'list' && y.kind === 'range')
    return x.versions.find((v) => versContains(y.range, v));
  if (x.kind === 'range' && y.kind === 'list')
    return y.versions.find((v) => versContains(x.range, v));
  if (x.kind === 'range' && y.kind === 'range') return rangesOverlap(x.range, y.range);
  return undefined;
}

/** An interval of a vers range; an absent bound is unbounded. */
interface Interval {
  lo?: { v: string; incl: boolean };
  hi?: { v: string; incl: boolean };
}

// Two ranges overlap when some interval of one meets some interval of the other.
function rangesOverlap(a: VersRange, b: VersRange): string | undefined {
  if (a.scheme !== b.scheme) return undefined;
  const cmp = (v: string, w: string) => compareVersions(a.scheme, v, w);
  for (const i of intervals(a)) {
    for (const j of intervals(b)) {
      const lo = maxLo(i.lo, j.lo, cmp);
      const hi = minHi(i.hi, j.hi, cmp);
      if (lo === undefined || hi === undefined) return `${a.scheme} ${lo?.v ?? hi?.v ?? '*'}`;
      const c = cmp(lo.v, hi.v);
      if (c < 0 || (c === 0 && lo.incl && hi.incl)) return lo.v;
    }
  }
  return undefined;
}

// The intervals of a canonical vers range: '=' points, and alternating '>'/'<' bounds.
function intervals(r: VersRange): Interval[] {
  const out: Interval[] = [];
  let open: Interval | undefined;
  for (const c of r.constraints) {
    if (c.comparator === '*') return [{}];
    if (c.comparator === '!=') continue;
    if (c.comparator === '=') {
      out.push({ lo: { v: c.version, incl: true }, hi: { v: c.version, incl: true } });
    } else if (c.comparator === '>' || c.comparator === '>=') {
      open = { lo: { v: c.version, incl: c.comparator === '>=' } };
      out.push(open);
    } else {
      const hi = { v: c.version, incl: c.comparator === '<=' };
      if (open !== undefined) open.hi = hi;
      else out.push({ hi });
      open = undefined;
    }
  }
  return out;
}

type Bound = { v: string; incl: boolean } | undefined;

function maxLo(a: Bound, b: Bound, cmp: (v: string, w: string) => number): Bound {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const c = cmp(a.v, b.v);
  return c > 0 ? a : c < 0 ? b : { v: a.v, incl: a.incl && b.incl };
}

function minHi(a: Bound, b: Bound, cmp: (v: string, w: string) => number): Bound {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const c = cmp(a.v, b.v);
  return c < 0 ? a : c > 0 ? b : { v: a.v, incl: a.incl && b.incl };
}
