import { cmpDigits, cmpStr, defineScheme } from './scheme.js';

type Seg = string | { n: string };

/** Gem::Version's ANCHORED_VERSION_PATTERN, without the empty version it also allows. */
const GEM_VERSION = /^\s*[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?\s*$/;

/**
 * Gem::Version#<=>: "-" means ".pre."; the version splits into number and letter runs; a letter
 * run starts the prerelease part; trailing zeros of the release and prerelease parts are dropped
 * (canonical_segments); then segments compare pairwise (missing = 0), a letter run below a number.
 */
export const gemScheme = defineScheme<Seg[]>({
  versionProblem: (version) =>
    GEM_VERSION.test(version) ? null : `"${version.slice(0, 80)}" is not a RubyGems version`,
  parse(version) {
    const text = version.trim().replaceAll('-', '.pre.');
    const segs: Seg[] = (text.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) =>
      /^\d/.test(s) ? { n: s } : s,
    );
    const firstString = segs.findIndex((s) => typeof s === 'string');
    const release = firstString === -1 ? segs : segs.slice(0, firstString);
    const pre = firstString === -1 ? [] : segs.slice(firstString);
    return [...dropTrailingZeros(release), ...dropTrailingZeros(pre)];
  },
  compare(a, b) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a[i] ?? ZERO;
      const y = b[i] ?? ZERO;
      const xs = typeof x === 'string';
      const ys = typeof y === 'string';
      if (xs !== ys) return xs ? -1 : 1;
      const c = xs
        ? cmpStr(x, y as string)
        : cmpDigits((x as { n: string }).n, (y as { n: string }).n);
      if (c !== 0) return c;
    }
    return 0;
  },
});

const ZERO: Seg = { n: '0' };

function dropTrailingZeros(segs: Seg[]): Seg[] {
  let end = segs.length;
  while (end > 0) {
    const s = segs[end - 1] as Seg;
    if (typeof s === 'string' || cmpDigits(s.n, '0') !== 0) break;
    end--;
  }
  return segs.slice(0, end);
}
