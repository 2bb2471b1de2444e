import type { SemVer } from 'semver';
import { semverLibrary } from '../semver-library.js';
import { genericScheme } from './generic.js';
import { defineScheme, type VersionScheme } from './scheme.js';

type SemverKey = { sv: SemVer | null; raw: unknown };

const generic = genericScheme as VersionScheme<unknown>;

/** A partial npm version: one or two numbers, with the prefixes loose node-semver allows. */
const NPM_PARTIAL = /^[v=\s]*\d+(?:\.\d+)?$/;

/**
 * Semantic Versioning 2.0 precedence (build metadata ignored). Input that is not semver falls back
 * to the generic order and sorts below every semver version, so the order stays total.
 */
function semverScheme(loose: boolean, prefix: 'v' | null, name: string): VersionScheme<unknown> {
  const options = { loose };
  return defineScheme<SemverKey>({
    versionProblem(version) {
      const text = prefix !== null && version.startsWith(prefix) ? version.slice(1) : version;
      // node-semver drops a leading "v" or "=" even when strict; strict SemVer starts with a digit.
      const strictStart = loose || /^\d/.test(text);
      if (strictStart && semverLibrary().valid(text, options) !== null) return null;
      // npm ranges name partial versions ("1", "1.2"), which node-semver reads as x-ranges.
      if (loose && NPM_PARTIAL.test(text)) return null;
      return `"${version.slice(0, 80)}" is not a valid ${name} version (${loose ? 'node-semver' : 'SemVer 2.0'}${prefix ? `, optionally ${prefix}-prefixed` : ''})`;
    },
    parse(version) {
      const text = prefix !== null && version.startsWith(prefix) ? version.slice(1) : version;
      const semver = semverLibrary();
      let sv = semver.parse(text, options);
      // npm accepts partial versions in ranges ("1.2"); coerce keeps their prerelease.
      if (sv === null && loose) sv = semver.coerce(text, { includePrerelease: true });
      return sv === null ? { sv: null, raw: generic.parse(version) } : { sv, raw: null };
    },
    compare(a, b) {
      if (a.sv !== null && b.sv !== null) return a.sv.compare(b.sv);
      if (a.sv !== null) return 1;
      if (b.sv !== null) return -1;
      return generic.compare(a.raw, b.raw);
    },
  });
}

/** npm: node-semver, loose (accepts "v1.2.3", "=1.2.3", partial "1.2"). */
export const npmScheme = semverScheme(true, null, 'npm');
/** Cargo and plain semver: strict SemVer 2.0. */
export const cargoScheme = semverScheme(false, null, 'SemVer');
export const strictSemverScheme = cargoScheme;
/**
 * Go modules: "v"-prefixed semver; pseudo-versions (v0.0.0-20191109021931-daa7c04131f5) are semver
 * prereleases and "+incompatible" is build metadata, so plain semver precedence orders them.
 */
export const golangScheme = semverScheme(false, 'v', 'Go module');
