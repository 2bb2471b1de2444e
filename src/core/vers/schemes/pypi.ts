import { genericScheme } from './generic.js';
import { cmpNum, cmpStr, defineScheme } from './scheme.js';

/** PEP 440's own pattern (Appendix B), anchored and case-insensitive; compiled once. */
const PEP440 =
  /^\s*v?(?:(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?)(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i;

/** Numbers stay exact: PEP 440 allows any length, and float64 loses digits past 2^53. */
type Num = bigint;

type Pep440Key =
  | {
      valid: true;
      epoch: Num;
      release: Num[];
      /** [phase, n]: phase -2 = dev-only release, -1..1 = a/b/rc, 2 = final */
      pre: [number, Num];
      post: Num | null;
      dev: Num | null;
      local: (Num | string)[] | null;
    }
  | { valid: false; raw: unknown };

const PRE_PHASE: Readonly<Record<string, number>> = {
  a: -1,
  alpha: -1,
  b: 0,
  beta: 0,
  c: 1,
  rc: 1,
  pre: 1,
  preview: 1,
};

/**
 * PEP 440 ordering (the `packaging` library's sort key). Strings that are not PEP 440 versions
 * sort before every valid one, as `packaging`'s LegacyVersion did, among themselves generically.
 */
export const pypiScheme = defineScheme<Pep440Key>({
  versionProblem: (version) =>
    PEP440.test(version) ? null : `"${version.slice(0, 80)}" is not a PEP 440 version`,
  parse(version) {
    const m = PEP440.exec(version);
    if (m === null) return { valid: false, raw: genericScheme.parse(version) };
    const release = (m[2] as string).split('.').map(BigInt);
    while (release.length > 1 && release[release.length - 1] === 0n) release.pop();
    const hasPost = m[5] !== undefined || m[6] !== undefined;
    const dev = m[8] !== undefined ? BigInt(m[9] ?? 0) : null;
    let pre: [number, Num];
    if (m[3] !== undefined)
      pre = [PRE_PHASE[(m[3] as string).toLowerCase()] ?? 1, BigInt(m[4] ?? 0)];
    // A dev release of a final version ("1.0.dev1") sorts before its prereleases.
    else if (dev !== null && !hasPost) pre = [-2, 0n];
    else pre = [2, 0n];
    return {
      valid: true,
      epoch: BigInt(m[1] ?? 0),
      release,
      pre,
      post: hasPost ? BigInt(m[5] ?? m[7] ?? 0) : null,
      dev,
      local:
        m[10] === undefined
          ? null
          : m[10]
              .toLowerCase()
              .split(/[-_.]/)
              .map((s) => (/^\d+$/.test(s) ? BigInt(s) : s)),
    };
  },
  compare(a, b) {
    if (!a.valid || !b.valid) {
      if (a.valid) return 1;
      if (b.valid) return -1;
      return genericScheme.compare(a.raw, b.raw);
    }
    return (
      cmpBig(a.epoch, b.epoch) ||
      cmpRelease(a.release, b.release) ||
      cmpNum(a.pre[0], b.pre[0]) ||
      cmpBig(a.pre[1], b.pre[1]) ||
      cmpOptional(a.post, b.post, -1) ||
      cmpOptional(a.dev, b.dev, 1) ||
      cmpLocal(a.local, b.local)
    );
  },
});

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmpRelease(a: Num[], b: Num[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = cmpBig(a[i] ?? 0n, b[i] ?? 0n);
    if (c !== 0) return c;
  }
  return 0;
}

/** A missing post-release sorts first (absent = -1); a missing dev part sorts last (absent = +1). */
function cmpOptional(a: Num | null, b: Num | null, absent: number): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? absent : -absent;
  return cmpBig(a, b);
}

/** Local labels: numeric segments beat alphanumeric ones; a longer label wins a tie. */
function cmpLocal(a: (Num | string)[] | null, b: (Num | string)[] | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as Num | string;
    const y = b[i] as Num | string;
    const xs = typeof x === 'string';
    const ys = typeof y === 'string';
    if (xs !== ys) return xs ? -1 : 1;
    const c = xs ? cmpStr(x as string, y as string) : cmpBig(x as bigint, y as bigint);
    if (c !== 0) return c;
  }
  return cmpNum(a.length, b.length);
}
