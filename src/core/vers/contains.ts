import { versionScheme } from './compare.js';
import type { VersComparator, VersRange } from './range.js';
import type { VersionScheme } from './schemes/index.js';

/** A range with its bounds parsed once, for testing many versions. */
interface CompiledRange {
  readonly scheme: VersionScheme<unknown>;
  readonly any: boolean;
  /** Every constraint's comparator and parsed version, in range order. */
  readonly all: readonly { readonly op: VersComparator; readonly key: unknown }[];
  /** The '<', '<=', '>', '>=' constraints only, in range order. */
  readonly bounds: readonly { readonly op: VersComparator; readonly key: unknown }[];
}

const compiled = new WeakMap<VersRange, CompiledRange>();

/**
 * True when `version` is in `range`, by the spec's containment algorithm ("Checking if a version
 * is contained within a range"). The range's bounds are parsed once per range object and cached,
 * so filtering many versions through one parsed range parses each candidate once.
 * @throws VersError VERS_SCHEME_UNSUPPORTED
 */
export function versContains(range: VersRange, version: string): boolean {
  const r = compile(range);
  if (r.any) return true;
  const v = r.scheme.parse(version);
  const cmp = r.scheme.compare;
  for (const c of r.all) {
    if (cmp(v, c.key) !== 0) continue;
    if (c.op === '=' || c.op === '<=' || c.op === '>=') return true;
    if (c.op === '!=') return false;
  }
  const b = r.bounds;
  if (b.length === 0) return false;
  const first = b[0] as CompiledRange['bounds'][number];
  const last = b[b.length - 1] as CompiledRange['bounds'][number];
  if (isLess(first.op) && cmp(v, first.key) < 0) return true;
  if (!isLess(last.op) && cmp(v, last.key) > 0) return true;
  for (let i = 1; i < b.length; i++) {
    const cur = b[i - 1] as CompiledRange['bounds'][number];
    const next = b[i] as CompiledRange['bounds'][number];
    if (!isLess(cur.op) && isLess(next.op) && cmp(v, cur.key) > 0 && cmp(v, next.key) < 0)
      return true;
  }
  return false;
}

function isLess(op: VersComparator): boolean {
  return op === '<' || op === '<=';
}

function compile(range: VersRange): CompiledRange {
  const hit = compiled.get(range);
  if (hit !== undefined) return hit;
  const scheme = versionScheme(range.scheme);
  const all = range.constraints.map((c) => ({ op: c.comparator, key: scheme.parse(c.version) }));
  const r: CompiledRange = {
    scheme,
    any: range.constraints.some((c) => c.comparator === '*'),
    all,
    bounds: all.filter((c) => c.op !== '=' && c.op !== '!=' && c.op !== '*'),
  };
  compiled.set(range, r);
  return r;
}
