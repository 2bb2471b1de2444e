import { genericScheme } from './generic.js';
import { cmpDigits, cmpNum, cmpStr, defineScheme } from './scheme.js';

const OPENSSL = /^(\d+)\.(\d+)\.(\d+)([a-z]*)$/;

type OpensslKey = { nums: string[]; letters: string } | { nums: null; raw: unknown };

/**
 * OpenSSL releases: three numbers, then (before 3.0) a letter suffix for patch releases that
 * grows after "z" ("za", "zb", …), so shorter suffixes sort first, then by letters.
 */
export const opensslScheme = defineScheme<OpensslKey>({
  versionProblem: (version) =>
    OPENSSL.test(version.toLowerCase())
      ? null
      : `"${version.slice(0, 80)}" is not an OpenSSL version (three numbers and an optional letter suffix)`,
  parse(version) {
    const m = OPENSSL.exec(version.toLowerCase());
    if (m === null) return { nums: null, raw: genericScheme.parse(version) };
    return { nums: [m[1], m[2], m[3]] as string[], letters: m[4] as string };
  },
  compare(a, b) {
    if (a.nums === null || b.nums === null) {
      if (a.nums !== null) return 1;
      if (b.nums !== null) return -1;
      return genericScheme.compare(a.raw, b.raw);
    }
    for (let i = 0; i < 3; i++) {
      const c = cmpDigits(a.nums[i] as string, b.nums[i] as string);
      if (c !== 0) return c;
    }
    return cmpNum(a.letters.length, b.letters.length) || cmpStr(a.letters, b.letters);
  },
});
