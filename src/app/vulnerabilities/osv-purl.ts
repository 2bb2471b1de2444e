import { packageKey } from '../../inventory/index.js';
import { nameKey } from '../../vuln/index.js';

/** OSV ecosystem (base) → purl type, for ecosystems whose packages are not distribution packages. */
const ECOSYSTEM_TYPE: Readonly<Record<string, string>> = {
  npm: 'npm',
  PyPI: 'pypi',
  Maven: 'maven',
  Go: 'golang',
  'crates.io': 'cargo',
  RubyGems: 'gem',
  NuGet: 'nuget',
  Packagist: 'composer',
  Hex: 'hex',
  Pub: 'pub',
  ConanCenter: 'conan',
  SwiftURL: 'swift',
  Hackage: 'hackage',
  CRAN: 'cran',
  Bitnami: 'bitnami',
};

/** Distribution ecosystems → purl type and the os-release ids their purls use as namespace. */
const DISTRO: Readonly<Record<string, { type: string; namespaces: readonly string[] }>> = {
  Debian: { type: 'deb', namespaces: ['debian'] },
  Ubuntu: { type: 'deb', namespaces: ['ubuntu'] },
  Alpine: { type: 'apk', namespaces: ['alpine'] },
  Wolfi: { type: 'apk', namespaces: ['wolfi'] },
  Chainguard: { type: 'apk', namespaces: ['chainguard'] },
  MinimOS: { type: 'apk', namespaces: ['minimos'] },
  'Red Hat': { type: 'rpm', namespaces: ['redhat', 'rhel'] },
  'Rocky Linux': { type: 'rpm', namespaces: ['rocky'] },
  AlmaLinux: { type: 'rpm', namespaces: ['almalinux'] },
  SUSE: { type: 'rpm', namespaces: ['suse', 'sles'] },
  openSUSE: { type: 'rpm', namespaces: ['opensuse', 'opensuse-leap'] },
  Mageia: { type: 'rpm', namespaces: ['mageia'] },
  openEuler: { type: 'rpm', namespaces: ['openeuler'] },
  'Azure Linux': { type: 'rpm', namespaces: ['azurelinux', 'mariner'] },
  'Photon OS': { type: 'rpm', namespaces: ['photon'] },
};

/** Where the inventory keeps the components an advisory's package may be. */
export interface PackageLookup {
  /** Package dictionary keys (`pkg:type/namespace/name`) to look up exactly. */
  keys: string[];
  /** For distributions: binary packages whose purl names this source package as `upstream`. */
  upstream: { prefix: string; source: string }[];
  /**
   * Keys (lower case) to look up ignoring case: the ecosystem compares names case-insensitively
   * (vuln/'s nameKey) but its purl type keeps the case a producer wrote (NuGet's `jQuery`), so no
   * spelling the advisory gives is sure to be the inventory's.
   */
  caseless: string[];
}

/**
 * The inventory package keys an OSV package (ecosystem, name) may be stored under: the purl the
 * purl spec gives it, and the spellings a producer may use for case- or separator-insensitive
 * names. Matching then decides on each component with vuln/'s own rules (matchPurl), so a key too
 * many costs a look-up, never a wrong finding.
 */
export function packageLookupOf(ecosystem: string, name: string): PackageLookup {
  const out: PackageLookup = { keys: [], upstream: [], caseless: [] };
  const add = (type: string, ns: string | undefined, n: string) => {
    try {
      const k = packageKey(type, ns === '' ? undefined : ns, n);
      if (!out.keys.includes(k)) out.keys.push(k);
    } catch {
      // A name no purl can spell: no component can carry it.
    }
  };
  const distro = DISTRO[ecosystem];
  if (distro !== undefined) {
    for (const ns of distro.namespaces) {
      add(distro.type, ns, name);
      out.upstream.push({ prefix: `pkg:${distro.type}/${ns}/`, source: name });
    }
    return out;
  }
  const type = ECOSYSTEM_TYPE[ecosystem];
  if (type === undefined) return out;
  const [ns, n] = split(ecosystem, name);
  add(type, ns, n);
  add(type, ns?.toLowerCase(), n.toLowerCase());
  if (nameKey(ecosystem, 'A') === 'a' && keepsCase(type)) {
    for (const k of out.keys) {
      const lower = k.toLowerCase();
      if (!out.caseless.includes(lower)) out.caseless.push(lower);
    }
  }
  if (ecosystem === 'PyPI') add(type, undefined, n.toLowerCase().replace(/[-_.]+/g, '-'));
  return out;
}

// Whether the purl type keeps the case of names (the purl spec lower-cases some, PyPI's say).
function keepsCase(type: string): boolean {
  try {
    return packageKey(type, undefined, 'A') !== packageKey(type, undefined, 'a');
  } catch {
    return false;
  }
}

/** Namespace and name as the purl type spells them (npm scopes, Maven groups, Go module paths). */
function split(ecosystem: string, name: string): [string | undefined, string] {
  if (ecosystem === 'Maven') {
    const colon = name.indexOf(':');
    return colon < 0 ? [undefined, name] : [name.slice(0, colon), name.slice(colon + 1)];
  }
  if (ecosystem === 'npm' && !name.startsWith('@')) return [undefined, name];
  if (['npm', 'Go', 'Packagist', 'SwiftURL'].includes(ecosystem)) {
    const slash = name.lastIndexOf('/');
    return slash < 0 ? [undefined, name] : [name.slice(0, slash), name.slice(slash + 1)];
  }
  return [undefined, name];
}
