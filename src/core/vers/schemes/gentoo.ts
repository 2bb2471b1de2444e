import { genericScheme } from './generic.js';
import { cmpDigits, cmpNum, cmpStr, defineScheme } from './scheme.js';

/** PMS §3.2 version syntax; compiled once. */
const GENTOO = /^(\d+)((?:\.\d+)*)([a-z]?)((?:_(?:alpha|beta|pre|rc|p)\d*)*)(?:-r(\d+))?$/;
const SUFFIX_ORDER: Readonly<Record<string, number>> = { alpha: 0, beta: 1, pre: 2, rc: 3, p: 5 };
/** Where "no more suffixes" sits among them: after _rc, before _p. */
const NO_SUFFIX = 4;

type GentooKey =
  | {
      ok: true;
      first: string;
      rest: string[];
      letter: string;
      suffixes: [number, string][];
      rev: string;
    }
  | { ok: false; raw: unknown };

/**
 * Gentoo's Package Manager Specification, Algorithms 3.1–3.7: the first number numerically, later
 * ones numerically unless either has a leading zero (then as strings without trailing zeros),
 * more components win, then the letter, the suffixes (_alpha < _beta < _pre < _rc < none < _p),
 * and the -r revision.
 */
export const gentooScheme = defineScheme<GentooKey>({
  versionProblem: (version) =>
    GENTOO.test(version) ? null : `"${version.slice(0, 80)}" is not a Gentoo (PMS) version`,
  parse(version) {
    const m = GENTOO.exec(version);
    if (m === null) return { ok: false, raw: genericScheme.parse(version) };
    const suffixes = (m[4] as string)
      .split('_')
      .slice(1)
      .map((s): [number, string] => {
        const word = /^[a-z]+/.exec(s)?.[0] ?? '';
        return [SUFFIX_ORDER[word] ?? NO_SUFFIX, s.slice(word.length) || '0'];
      });
    return {
      ok: true,
      first: m[1] as string,
      rest: (m[2] as string).split('.').slice(1),
      letter: m[3] as string,
      suffixes,
      rev: m[5] ?? '0',
    };
  },
  compare(a, b) {
    if (!a.ok || !b.ok) {
      if (a.ok) return 1;
      if (b.ok) return -1;
      return genericScheme.compare(a.raw, b.raw);
    }
    return (
      cmpDigits(a.first, b.first) ||
      compareComponents(a.rest, b.rest) ||
      cmpStr(a.letter, b.letter) ||
      compareSuffixes(a.suffixes, b.suffixes) ||
      cmpDigits(a.rev, b.rev)
    );
  },
});

function compareComponents(a: string[], b: string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    const c =
      x.startsWith('0') || y.startsWith('0')
        ? cmpStr(x.replace(/0+$/, ''), y.replace(/0+$/, ''))
        : cmpDigits(x, y);
    if (c !== 0) return c;
  }
  return cmpNum(a.length, b.length);
}

function compareSuffixes(a: [number, string][], b: [number, string][]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    const c =
      cmpNum(x?.[0] ?? NO_SUFFIX, y?.[0] ?? NO_SUFFIX) || (x && y ? cmpDigits(x[1], y[1]) : 0);
    if (c !== 0) return c;
  }
  return 0;
}
