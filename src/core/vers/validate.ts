import { versionScheme } from './compare.js';
import { VersError } from './errors.js';
import type { VersConstraint, VersRange } from './range.js';
import type { VersionScheme } from './schemes/index.js';

const LESS = new Set(['<', '<=']);
const GREATER = new Set(['>', '>=']);

/**
 * Every way `constraints` break the spec's canonical-range rules, in order: '*' not alone,
 * versions not sorted or not unique (by the scheme's equality), and — ignoring '!=' — a pair that
 * is redundant or empty: '=', '<' or '<=' followed by '<' or '<=', or '>' or '>=' followed by
 * '=', '>' or '>='. Empty when the range is canonical.
 */
export function versRangeProblems(
  scheme: VersionScheme<unknown>,
  constraints: readonly VersConstraint[],
): string[] {
  const problems: string[] = [];
  if (constraints.some((c) => c.comparator === '*')) {
    if (constraints.length > 1) problems.push('"*" must be the only constraint');
    return problems;
  }
  const keys = constraints.map((c) => scheme.parse(c.version));
  for (let i = 1; i < constraints.length; i++) {
    const c = scheme.compare(keys[i - 1], keys[i]);
    const prev = (constraints[i - 1] as VersConstraint).version;
    const cur = (constraints[i] as VersConstraint).version;
    if (c > 0)
      problems.push(`constraints are not sorted by version ("${prev}" comes after "${cur}")`);
    if (c === 0)
      problems.push(`versions must be unique ("${prev}" and "${cur}" are the same version)`);
  }
  const ordered = constraints.filter((c) => c.comparator !== '!=');
  for (let i = 1; i < ordered.length; i++) {
    const p = (ordered[i - 1] as VersConstraint).comparator;
    const n = (ordered[i] as VersConstraint).comparator;
    const bad =
      ((p === '=' || LESS.has(p)) && LESS.has(n)) ||
      (GREATER.has(p) && (n === '=' || GREATER.has(n)));
    if (bad) {
      problems.push(
        `"${p}${(ordered[i - 1] as VersConstraint).version}" followed by "${n}${(ordered[i] as VersConstraint).version}" is redundant or empty; less-than and greater-than bounds must alternate`,
      );
    }
  }
  return problems;
}

/**
 * Throw unless `range` is canonical: what parseVers checks by default, for ranges read with
 * `normalize` or built by hand.
 * @throws VersError VERS_NON_CANONICAL, VERS_SCHEME_UNSUPPORTED
 */
export function assertVersRange(range: VersRange): void {
  const problems = versRangeProblems(versionScheme(range.scheme), range.constraints);
  if (problems.length > 0) {
    throw new VersError('VERS_NON_CANONICAL', `non-canonical VERS: ${problems[0]}`, {
      details: { scheme: range.scheme, problems },
    });
  }
}

/**
 * Throw unless every version in `range` is a version of its scheme (schemes that order any string
 * accept any). A range over a version its scheme cannot read matches nothing or everything by
 * accident of the fallback order, so input a person typed is checked with this.
 * @throws VersError VERS_INVALID naming the first bad version, VERS_SCHEME_UNSUPPORTED
 */
export function assertVersVersions(range: VersRange): void {
  const check = versionScheme(range.scheme).versionProblem;
  if (check === undefined) return;
  const problems = range.constraints
    .filter((c) => c.comparator !== '*')
    .map((c) => check(c.version))
    .filter((p): p is string => p !== null);
  if (problems.length > 0) {
    throw new VersError('VERS_INVALID', `invalid VERS: ${problems[0]}`, {
      details: { scheme: range.scheme, problems },
    });
  }
}

/** Stable sort by version, so constraints on equal versions keep their written order. */
export function sortConstraints(
  scheme: VersionScheme<unknown>,
  constraints: readonly VersConstraint[],
): VersConstraint[] {
  const keyed = constraints.map((c) => ({ c, k: scheme.parse(c.version) }));
  keyed.sort((a, b) => scheme.compare(a.k, b.k));
  return keyed.map((x) => x.c);
}
