import { VersError } from './errors.js';
import { SCHEMES, type VersionScheme } from './schemes/index.js';

/** The comparator of a vers type (case-insensitive name). @throws VersError VERS_SCHEME_UNSUPPORTED */
export function versionScheme(scheme: string): VersionScheme<unknown> {
  const found = SCHEMES.get(scheme) ?? SCHEMES.get(scheme.toLowerCase());
  if (found === undefined) {
    throw new VersError(
      'VERS_SCHEME_UNSUPPORTED',
      `vers type "${scheme.slice(0, 40)}" is not supported; use one of: ${[...SCHEMES.keys()].join(', ')}`,
      { details: { scheme: scheme.slice(0, 40) } },
    );
  }
  return found;
}

/** True when `scheme` names a vers type this module can order. */
export function isSupportedScheme(scheme: string): boolean {
  return SCHEMES.has(scheme.toLowerCase());
}

/**
 * Order two versions by the rules of `scheme`: negative when a < b, 0 when equal, positive when
 * a > b. Total for every input: strings a scheme cannot parse sort below its valid versions.
 * For many comparisons against the same bounds, parse a range once and use versContains.
 * @throws VersError VERS_SCHEME_UNSUPPORTED
 */
export function compareVersions(scheme: string, a: string, b: string): number {
  const s = versionScheme(scheme);
  const c = s.compare(s.parse(a), s.parse(b));
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

/** purl types whose vers type has another name; every other known purl type uses its own name. */
const PURL_TO_VERS: Readonly<Record<string, string>> = { apk: 'alpine', github: 'generic' };

/**
 * The vers type that orders versions of a purl type: the same name where this module has a
 * scheme of that name (npm, pypi, maven, golang, cargo, gem, nuget, deb, rpm, composer, conan,
 * alpm, …), "alpine" for apk, and "generic" for everything else.
 */
export function ecosystemScheme(purlType: string): string {
  const t = purlType.toLowerCase();
  const mapped = PURL_TO_VERS[t];
  if (mapped !== undefined) return mapped;
  return SCHEMES.has(t) && t !== 'apk' ? t : 'generic';
}
