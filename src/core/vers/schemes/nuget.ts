import { genericScheme } from './generic.js';
import { cmpDigits, cmpNum, cmpStr, defineScheme } from './scheme.js';

/** NuGet SemVer 2.0 with up to four numbers; compiled once. */
const NUGET =
  /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-.]*)?$/;

type NugetKey = { nums: string[]; pre: string[] } | { nums: null; raw: unknown };

/**
 * NuGetVersion ordering: four numbers (missing ones are 0, leading zeros ignored), then release
 * labels compared case-insensitively (numeric labels numerically and below alphanumeric ones, a
 * release above any prerelease); build metadata ignored.
 */
export const nugetScheme = defineScheme<NugetKey>({
  versionProblem: (version) =>
    NUGET.test(version.trim()) ? null : `"${version.slice(0, 80)}" is not a NuGet version`,
  parse(version) {
    const m = NUGET.exec(version.trim());
    if (m === null) return { nums: null, raw: genericScheme.parse(version) };
    return {
      nums: [m[1], m[2], m[3], m[4]].map((n) => n ?? '0'),
      pre: m[5] === undefined ? [] : m[5].toLowerCase().split('.'),
    };
  },
  compare(a, b) {
    if (a.nums === null || b.nums === null) {
      if (a.nums !== null) return 1;
      if (b.nums !== null) return -1;
      return genericScheme.compare(a.raw, b.raw);
    }
    for (let i = 0; i < 4; i++) {
      const c = cmpDigits(a.nums[i] as string, b.nums[i] as string);
      if (c !== 0) return c;
    }
    return comparePrerelease(a.pre, b.pre);
  },
});

/** SemVer 2.0 §11 over lower-cased labels (shared with other semver-like schemes). */
export function comparePrerelease(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn !== yn) return xn ? -1 : 1;
    const c = xn ? cmpDigits(x, y) : cmpStr(x, y);
    if (c !== 0) return c;
  }
  return cmpNum(a.length, b.length);
}
