import type { Range } from 'semver';
import { VersError } from './errors.js';
import { formatVers } from './format.js';
import { MAX_VERS_LENGTH, type VersComparator, type VersConstraint } from './range.js';
import { semverLibrary } from './semver-library.js';

/** Schemes versFromNative can read. */
export const NATIVE_SCHEMES = ['npm', 'pypi', 'gem', 'nuget'] as const;
export type NativeScheme = (typeof NATIVE_SCHEMES)[number];

/**
 * Convert an ecosystem's own range notation to a canonical vers string: npm (node-semver ranges,
 * "||" alternatives, x-ranges, ~, ^, hyphen ranges), pypi (PEP 440 specifier sets), gem
 * (RubyGems requirements with ~>) and nuget (interval notation).
 * The constraints of all alternatives are listed together in version order, as the vers
 * conformance data does; overlapping alternatives are not merged.
 * @throws VersError VERS_NATIVE_INVALID, VERS_SCHEME_UNSUPPORTED, VERS_TOO_LARGE
 */
export function versFromNative(scheme: string, native: string): string {
  if (native.length > MAX_VERS_LENGTH) {
    throw new VersError(
      'VERS_TOO_LARGE',
      `native range is ${native.length} characters; the limit is ${MAX_VERS_LENGTH}`,
    );
  }
  const s = scheme.toLowerCase();
  let constraints: VersConstraint[];
  if (s === 'npm') constraints = fromNpm(native);
  else if (s === 'pypi') constraints = fromPypi(native);
  else if (s === 'gem') constraints = fromGem(native);
  else if (s === 'nuget') constraints = fromNuget(native);
  else {
    throw new VersError(
      'VERS_SCHEME_UNSUPPORTED',
      `cannot convert native ${scheme.slice(0, 40)} ranges; supported: ${NATIVE_SCHEMES.join(', ')}`,
    );
  }
  return formatVers({ scheme: s, constraints: dedupe(constraints) });
}

function nativeError(scheme: string, native: string, why: string): VersError {
  return new VersError(
    'VERS_NATIVE_INVALID',
    `cannot read ${scheme} range "${native.slice(0, 80)}": ${why}`,
    {
      details: { scheme, native: native.slice(0, 200) },
    },
  );
}

/** node-semver desugars the sugar (x-ranges, ~, ^, hyphens) into primitive comparators. */
function fromNpm(native: string): VersConstraint[] {
  let range: Range;
  try {
    range = new (semverLibrary().Range)(native.trim() === '' ? '*' : native, { loose: true });
  } catch (cause) {
    throw nativeError('npm', native, `not a node-semver range (${(cause as Error).message})`);
  }
  const out: VersConstraint[] = [];
  for (const set of range.set) {
    for (const c of set) {
      // node-semver marks "any version" with a symbol its types do not declare.
      if (c.value === '') return [{ comparator: '*', version: '' }];
      // "<1.3.0-0" is node-semver's way to exclude 1.3.0's prereleases; vers has no such marker.
      const v = c.semver.version.replace(/-0$/, '');
      out.push({
        comparator: (c.operator === '' ? '=' : c.operator) as VersComparator,
        version: v,
      });
    }
  }
  return out;
}

const PEP440_SPEC = /^(===|==|!=|<=|>=|~=|<|>)\s*(\S+)$/;

/** A PEP 440 specifier set: comma-separated clauses, all of which must hold. */
function fromPypi(native: string): VersConstraint[] {
  const out: VersConstraint[] = [];
  for (const clause of native.split(',')) {
    const m = PEP440_SPEC.exec(clause.trim());
    if (m === null)
      throw nativeError('pypi', native, `"${clause.trim()}" is not a PEP 440 specifier`);
    const op = m[1] as string;
    const v = m[2] as string;
    if (v.endsWith('.*')) {
      const prefix = v.slice(0, -2);
      if (op !== '==') throw nativeError('pypi', native, `"${op}${v}" cannot be written as vers`);
      out.push(
        { comparator: '>=', version: prefix },
        { comparator: '<', version: bumpLast(prefix, 1) },
      );
    } else if (op === '~=') {
      const parts = v.split('.');
      if (parts.length < 2)
        throw nativeError('pypi', native, '"~=" needs at least two release numbers');
      out.push(
        { comparator: '>=', version: v },
        { comparator: '<', version: bumpLast(parts.slice(0, -1).join('.'), 1) },
      );
    } else {
      out.push({
        comparator: (op === '==' || op === '===' ? '=' : op) as VersComparator,
        version: v,
      });
    }
  }
  return out;
}

/** RubyGems requirements: "~> 2.0.8" means >= 2.0.8 and < 2.1. */
function fromGem(native: string): VersConstraint[] {
  const out: VersConstraint[] = [];
  for (const clause of native.split(',')) {
    const m = /^(~>|>=|<=|!=|=|<|>)?\s*([0-9][0-9A-Za-z.-]*)$/.exec(clause.trim());
    if (m === null)
      throw nativeError('gem', native, `"${clause.trim()}" is not a RubyGems requirement`);
    const op = m[1] ?? '=';
    const v = m[2] as string;
    if (op === '~>') {
      const release = v.split('.').filter((p) => /^\d+$/.test(p));
      const upper =
        release.length > 1
          ? bumpLast(release.slice(0, -1).join('.'), 1)
          : bumpLast(release.join('.') || '0', 1);
      out.push({ comparator: '>=', version: v }, { comparator: '<', version: upper });
    } else out.push({ comparator: op as VersComparator, version: v });
  }
  return out;
}

/** NuGet interval notation: "1.0" (minimum), "[1.0]", "[1.0,2.0)", "(,2.0]". */
function fromNuget(native: string): VersConstraint[] {
  const t = native.trim();
  const m = /^([[(])\s*([^,\s]*)\s*(?:,\s*([^,\s]*)\s*)?([\])])$/.exec(t);
  if (m === null) {
    if (/^[0-9][0-9A-Za-z.+-]*$/.test(t)) return [{ comparator: '>=', version: t }];
    throw nativeError('nuget', native, 'not a NuGet version range');
  }
  const [, open, lo, hi, close] = m as unknown as [
    string,
    string,
    string,
    string | undefined,
    string,
  ];
  if (hi === undefined) {
    if (open !== '[' || close !== ']' || lo === '')
      throw nativeError('nuget', native, 'an exact version needs "[x]"');
    return [{ comparator: '=', version: lo }];
  }
  const out: VersConstraint[] = [];
  if (lo !== '') out.push({ comparator: open === '[' ? '>=' : '>', version: lo });
  if (hi !== '') out.push({ comparator: close === ']' ? '<=' : '<', version: hi });
  if (out.length === 0) return [{ comparator: '*', version: '' }];
  return out;
}

/** "2.0" + 1 → "2.1": the next release at the last given position. */
function bumpLast(version: string, by: number): string {
  const parts = version.split('.');
  const last = parts.length - 1;
  parts[last] = String(Number(parts[last]) + by);
  return parts.join('.');
}

function dedupe(constraints: VersConstraint[]): VersConstraint[] {
  const seen = new Set<string>();
  return constraints.filter((c) => {
    const k = `${c.comparator}${c.version}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
