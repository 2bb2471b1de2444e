import { matchesAny } from './patterns.js';

/**
 * What kind of release a version is. `build` is a version with semver build metadata (`+sha`):
 * a build, not a release (edge case 1: "Use semantic versioning to distinguish releases from
 * builds"). `unversioned` is a release whose tag is not a semantic version.
 */
export type ReleaseKind =
  | 'major'
  | 'minor'
  | 'patch'
  | 'hotfix'
  | 'pre-release'
  | 'rebuild'
  | 'build'
  | 'unversioned';

export interface ReleaseFacts {
  version: string;
  previousVersion?: string | undefined;
  hotfix?: boolean | undefined;
  prerelease?: boolean | undefined;
  rebuild?: boolean | undefined;
  branch?: string | undefined;
}

/** Branch names that make a release a hotfix, unless a team names its own. */
export const DEFAULT_HOTFIX_BRANCHES: readonly string[] = ['hotfix/*', 'hotfix-*', 'hotfixes/*'];

/**
 * The kind of a release, from its version and the previous one (semver 2.0.0), a hotfix flag or
 * the branch it was cut from, in this order: an explicit rebuild; build metadata (a build); a
 * hotfix; a pre-release (flag or `-suffix`); the same version again (a rebuild); the highest
 * number that moved since the previous version; without a previous version (or going back to an
 * older line), the version's own shape (x.0.0 major, x.y.0 minor, else patch).
 */
export function classifyRelease(
  facts: ReleaseFacts,
  hotfixBranches: readonly string[] = DEFAULT_HOTFIX_BRANCHES,
): ReleaseKind {
  if (facts.rebuild === true) return 'rebuild';
  const next = parseSemver(facts.version);
  if (next?.build !== undefined) return 'build';
  if (facts.hotfix === true) return 'hotfix';
  if (facts.branch !== undefined && matchesAny(facts.branch, hotfixBranches)) return 'hotfix';
  if (next === undefined) return 'unversioned';
  if (facts.prerelease === true || next.prerelease !== undefined) return 'pre-release';
  const prev = facts.previousVersion === undefined ? undefined : parseSemver(facts.previousVersion);
  if (prev !== undefined && sameRelease(prev, next)) return 'rebuild';
  if (prev !== undefined && compareCore(next, prev) > 0) {
    if (next.major !== prev.major) return 'major';
    if (next.minor !== prev.minor) return 'minor';
    if (next.patch !== prev.patch) return 'patch';
    // Same numbers, the previous one a pre-release: this is the release it led to.
  }
  if (next.minor === 0 && next.patch === 0) return 'major';
  return next.patch === 0 ? 'minor' : 'patch';
}

export interface Semver {
  major: number;
  minor: number;
  patch: number;
  prerelease?: string;
  build?: string;
}

// The regular expression semver.org publishes for semver 2.0.0, with a leading `v` allowed.
const SEMVER =
  /^[vV]?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** A semantic version, or undefined when `v` is not one (never coerced). */
export function parseSemver(v: string): Semver | undefined {
  const m = SEMVER.exec(v);
  if (!m) return undefined;
  const out: Semver = { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
  if (![out.major, out.minor, out.patch].every(Number.isSafeInteger)) return undefined;
  if (m[4] !== undefined) out.prerelease = m[4];
  if (m[5] !== undefined) out.build = m[5];
  return out;
}

// Same version, build metadata aside (semver §10: build metadata does not make another version).
function sameRelease(a: Semver, b: Semver): boolean {
  return compareCore(a, b) === 0 && a.prerelease === b.prerelease;
}

// Order by major.minor.patch only.
function compareCore(a: Semver, b: Semver): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}
