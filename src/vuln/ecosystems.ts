import type { VersionScheme } from '../core/vers/index.js';
import { versionScheme } from '../core/vers/index.js';
import { VulnError } from './errors.js';

/**
 * Which core/vers scheme orders the versions of each OSV ecosystem (the part before the first
 * colon of `affected[].package.ecosystem`). Ecosystems absent here have no version rules in
 * Custody: their `versions` lists and SEMVER ranges still match, their ECOSYSTEM ranges cannot be
 * evaluated and say so.
 */
export const OSV_ECOSYSTEM_SCHEMES: Readonly<Record<string, string>> = {
  npm: 'npm',
  PyPI: 'pypi',
  Maven: 'maven',
  Go: 'golang',
  'crates.io': 'cargo',
  RubyGems: 'gem',
  NuGet: 'nuget',
  Packagist: 'composer',
  ConanCenter: 'conan',
  // SemVer 2.0 by the ecosystem's own rules (Hex, Swift's tags) or by osv.dev's choice (Bitnami).
  Hex: 'semver',
  SwiftURL: 'semver',
  Bitnami: 'semver',
  // dpkg ordering.
  Debian: 'deb',
  Ubuntu: 'deb',
  // apk ordering.
  Alpine: 'alpine',
  Wolfi: 'alpine',
  Chainguard: 'alpine',
  MinimOS: 'alpine',
  // rpmvercmp ordering (the schema says so for SUSE and openSUSE; the rest ship RPMs).
  'Red Hat': 'rpm',
  'Rocky Linux': 'rpm',
  AlmaLinux: 'rpm',
  SUSE: 'rpm',
  openSUSE: 'rpm',
  Mageia: 'rpm',
  openEuler: 'rpm',
  'Azure Linux': 'rpm',
  'Photon OS': 'rpm',
};

/** An OSV ecosystem string split: `Debian:12` → base `Debian`, release `12`. */
export interface OsvEcosystemParts {
  base: string;
  /** The suffix after the first colon: a distribution release, a CPE stream, a repository URL. */
  release?: string;
}

export function splitOsvEcosystem(ecosystem: string): OsvEcosystemParts {
  const colon = ecosystem.indexOf(':');
  if (colon < 0) return { base: ecosystem };
  return { base: ecosystem.slice(0, colon), release: ecosystem.slice(colon + 1) };
}

/** The vers scheme name of an OSV ecosystem (suffix ignored), or undefined when Custody has none. */
export function osvEcosystemSchemeName(ecosystem: string): string | undefined {
  return OSV_ECOSYSTEM_SCHEMES[splitOsvEcosystem(ecosystem).base];
}

/**
 * The comparator of an OSV ecosystem, by name.
 * @throws VulnError VULN_ECOSYSTEM_UNSUPPORTED
 */
export function osvEcosystemScheme(ecosystem: string): VersionScheme {
  const name = osvEcosystemSchemeName(ecosystem);
  if (name === undefined) {
    throw new VulnError(
      'VULN_ECOSYSTEM_UNSUPPORTED',
      `Custody has no version rules for the OSV ecosystem "${ecosystem.slice(0, 60)}"; it knows ${Object.keys(OSV_ECOSYSTEM_SCHEMES).join(', ')}`,
      { details: { ecosystem: ecosystem.slice(0, 60) } },
    );
  }
  return versionScheme(name);
}

/** Ecosystems whose releases are distinct streams: an advisory for one release says nothing of another. */
const RELEASE_SCOPED = new Set([
  'Debian',
  'Ubuntu',
  'Alpine',
  'Rocky Linux',
  'AlmaLinux',
  'SUSE',
  'openSUSE',
  'Mageia',
  'openEuler',
  'Azure Linux',
  'Photon OS',
]);

/**
 * Whether an advisory's ecosystem release covers a component's release. Either side unknown:
 * yes (a scan without the distribution's release errs towards a finding). Red Hat's suffix is a
 * CPE product stream that a purl does not carry, so it is not compared. `Ubuntu:22.04:LTS` and
 * `Ubuntu:Pro:22.04:LTS` cover `22.04`; `Rocky Linux:9` covers `9.2`.
 */
export function releaseCovers(
  base: string,
  advisoryRelease: string | undefined,
  componentRelease: string | undefined,
): boolean {
  if (!RELEASE_SCOPED.has(base) || advisoryRelease === undefined || componentRelease === undefined)
    return true;
  const a = advisoryRelease.replace(/^Pro:/, '').replace(/:LTS$/, '');
  const c = componentRelease;
  return a === c || c.startsWith(`${a}.`);
}
