import type { PurlParts } from '../core/index.js';

/** A component as OSV names it: ecosystem, package name(s), version, distribution release. */
export interface OsvPackageRef {
  /** OSV ecosystem without suffix: `npm`, `PyPI`, `Debian`, `Alpine`, `Red Hat`, … */
  ecosystem: string;
  /**
   * Names to look the package up by, already in index form (nameKey): the package itself and, for
   * OS packages, its source package (OSV's distribution advisories name source packages).
   */
  names: string[];
  /** The version to evaluate (Go's `v` dropped; a Debian source version; an RPM epoch prefixed). */
  version?: string;
  /** The distribution release (`12`, `v3.18`, `9.2`) from the purl's `distro` qualifier. */
  release?: string;
}

/** purl type → OSV ecosystem, for types whose mapping does not depend on the namespace. */
const TYPE_ECOSYSTEM: Readonly<Record<string, string>> = {
  npm: 'npm',
  pypi: 'PyPI',
  maven: 'Maven',
  golang: 'Go',
  cargo: 'crates.io',
  gem: 'RubyGems',
  nuget: 'NuGet',
  composer: 'Packagist',
  hex: 'Hex',
  pub: 'Pub',
  conan: 'ConanCenter',
  swift: 'SwiftURL',
  hackage: 'Hackage',
  cran: 'CRAN',
  bitnami: 'Bitnami',
};

/** deb/apk/rpm purl namespace (the distribution's os-release ID) → OSV ecosystem. */
const DISTRO_ECOSYSTEM: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  deb: { debian: 'Debian', ubuntu: 'Ubuntu' },
  apk: { alpine: 'Alpine', wolfi: 'Wolfi', chainguard: 'Chainguard', minimos: 'MinimOS' },
  rpm: {
    redhat: 'Red Hat',
    rhel: 'Red Hat',
    rocky: 'Rocky Linux',
    almalinux: 'AlmaLinux',
    suse: 'SUSE',
    sles: 'SUSE',
    opensuse: 'openSUSE',
    'opensuse-leap': 'openSUSE',
    mageia: 'Mageia',
    openeuler: 'openEuler',
    azurelinux: 'Azure Linux',
    mariner: 'Azure Linux',
    photon: 'Photon OS',
  },
};

/** Debian codenames, for `distro` qualifiers that name the release by codename. */
const DEBIAN_CODENAMES: Readonly<Record<string, string>> = {
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
};

/**
 * The OSV identity of a purl, or undefined when its type maps to no OSV ecosystem (generic,
 * github, docker, …). Pure mapping; versions are not checked here.
 */
export function osvPackageOfPurl(p: PurlParts): OsvPackageRef | undefined {
  const distro = DISTRO_ECOSYSTEM[p.type];
  if (distro !== undefined) return distroPackage(p, distro);
  const ecosystem = TYPE_ECOSYSTEM[p.type];
  if (ecosystem === undefined) return undefined;
  const name = packageName(p, ecosystem);
  const out: OsvPackageRef = { ecosystem, names: [nameKey(ecosystem, name)] };
  if (p.version !== undefined)
    out.version = ecosystem === 'Go' ? p.version.replace(/^v(?=\d)/, '') : p.version;
  return out;
}

function packageName(p: PurlParts, ecosystem: string): string {
  const ns = p.namespace;
  if (ns === undefined || ns === '') return p.name;
  // Maven names are groupId:artifactId; the others join namespace and name with a slash.
  return ecosystem === 'Maven' ? `${ns}:${p.name}` : `${ns}/${p.name}`;
}

/**
 * The form a package name is indexed and looked up in: PyPI names PEP 503-normalised; NuGet,
 * Packagist, Debian, Alpine and RPM names compared case-insensitively; the rest exact.
 */
export function nameKey(ecosystem: string, name: string): string {
  switch (ecosystem) {
    case 'PyPI':
      return name.toLowerCase().replace(/[-_.]+/g, '-');
    case 'npm':
    case 'Maven':
    case 'Go':
    case 'crates.io':
    case 'RubyGems':
      return name;
    default:
      return name.toLowerCase();
  }
}

function distroPackage(
  p: PurlParts,
  ecosystems: Readonly<Record<string, string>>,
): OsvPackageRef | undefined {
  const ecosystem = ecosystems[(p.namespace ?? '').toLowerCase()];
  if (ecosystem === undefined) return undefined;
  const q = p.qualifiers ?? {};
  const names = [nameKey(ecosystem, p.name)];
  let version = p.version;
  const upstream = q['upstream'];
  if (upstream !== undefined && upstream !== '') {
    const source = sourcePackage(p.type, upstream);
    if (source.name !== '' && !names.includes(nameKey(ecosystem, source.name)))
      names.push(nameKey(ecosystem, source.name));
    // Debian advisories give source versions; the binary's version is the same unless dpkg said otherwise.
    if (p.type === 'deb' && source.version !== undefined) version = source.version;
  }
  const epoch = q['epoch'];
  if (p.type === 'rpm' && version !== undefined && epoch && epoch !== '0' && !version.includes(':'))
    version = `${epoch}:${version}`;
  const out: OsvPackageRef = { ecosystem, names };
  if (version !== undefined) out.version = version;
  const release = releaseOf(ecosystem, q['distro']);
  if (release !== undefined) out.release = release;
  return out;
}

/** `upstream` qualifiers: deb `src` or `src@version`; apk the origin; rpm the source RPM file. */
function sourcePackage(type: string, upstream: string): { name: string; version?: string } {
  if (type === 'rpm') {
    // name-version-release.src.rpm: the name is everything before the last two dashes.
    const base = upstream.replace(/\.(src|nosrc)\.rpm$/, '');
    const parts = base.split('-');
    return { name: parts.length > 2 ? parts.slice(0, -2).join('-') : base };
  }
  const at = upstream.indexOf('@');
  return at < 0
    ? { name: upstream }
    : { name: upstream.slice(0, at), version: upstream.slice(at + 1) };
}

/** The OSV release suffix a `distro` qualifier names (`debian-12.5` → `12`, `3.18.4` → `v3.18`). */
function releaseOf(ecosystem: string, distro: string | undefined): string | undefined {
  if (distro === undefined || distro === '') return undefined;
  const v = distro.replace(/^[a-z][a-z-]*?-(?=\d)/i, '');
  switch (ecosystem) {
    case 'Debian': {
      const code = DEBIAN_CODENAMES[distro.replace(/^debian-/, '')];
      if (code !== undefined) return code;
      return /^\d+/.exec(v)?.[0];
    }
    case 'Alpine': {
      const m = /^v?(\d+)\.(\d+)/.exec(v);
      return m ? `v${m[1]}.${m[2]}` : undefined;
    }
    case 'Ubuntu':
      return /^\d+\.\d+/.exec(v)?.[0];
    default:
      return /^\d/.test(v) ? v : undefined;
  }
}
