/**
 * A version scheme orders the versions of one ecosystem. Versions are parsed once into a key so
 * that one range can be tested against many versions without re-parsing its bounds.
 */
export interface VersionScheme<K = unknown> {
  /** Parse a version into a comparison key. Total: never throws (unparseable input gets a key). */
  readonly parse: (version: string) => K;
  /** Negative, zero or positive, like Array.prototype.sort's comparators. */
  readonly compare: (a: K, b: K) => number;
  /** Reject a version that is not canonical for this scheme in a vers string (message), or null. */
  readonly canonicalProblem?: (version: string) => string | null;
  /**
   * Why `version` is no version of this scheme at all (message), or null. Absent: the scheme
   * orders any string (generic, lexicographic, Maven's ComparableVersion, Conan). `parse` stays
   * total; this is for input a person typed, where a typo must not quietly match nothing.
   */
  readonly versionProblem?: (version: string) => string | null;
}

/** Declare a scheme with its key type checked, then erase the key type for the registry. */
export function defineScheme<K>(scheme: VersionScheme<K>): VersionScheme<unknown> {
  return scheme as VersionScheme<unknown>;
}

/** Sign of a number comparison; keeps comparators returning -1/0/1. */
export function cmpNum(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Code-unit string order; fine for ASCII version text. */
export function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compare digit strings of any length numerically (no BigInt allocation). */
export function cmpDigits(a: string, b: string): number {
  const x = stripZeros(a);
  const y = stripZeros(b);
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return cmpStr(x, y);
}

function stripZeros(s: string): string {
  let i = 0;
  while (i < s.length - 1 && s.charCodeAt(i) === 48) i++;
  return i === 0 ? s : s.slice(i);
}

export function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isAlphaCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
