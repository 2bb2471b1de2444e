import { cmpDigits, cmpStr, defineScheme, isAlphaCode, isDigitCode } from './scheme.js';

/** A run of digits (numeric) or of letters; `pre` marks a letter run right after '-' or '~'. */
type Segment = { num: boolean; text: string; pre: boolean };

/**
 * The fallback order for schemes without rules of their own: split into digit and letter runs
 * (other characters separate), compare digits numerically and letters by code unit; a digit run
 * beats a letter run. When one side runs out, a remaining letter run that follows '-' or '~' is a
 * prerelease (older), anything else makes the longer version newer.
 */
export const genericScheme = defineScheme<Segment[]>({
  parse: splitSegments,
  compare(a, b) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a[i] as Segment;
      const y = b[i] as Segment;
      if (x.num !== y.num) return x.num ? 1 : -1;
      const c = x.num ? cmpDigits(x.text, y.text) : cmpStr(x.text, y.text);
      if (c !== 0) return c;
    }
    if (a.length === b.length) return 0;
    const rest = (a.length > b.length ? a[n] : b[n]) as Segment;
    const longerIsNewer = rest.num || !rest.pre;
    return a.length > b.length === longerIsNewer ? 1 : -1;
  },
});

export function splitSegments(version: string): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  let sep = '';
  while (i < version.length) {
    const c = version.charCodeAt(i);
    if (isDigitCode(c) || isAlphaCode(c)) {
      const num = isDigitCode(c);
      let j = i + 1;
      while (j < version.length && (num ? isDigitCode : isAlphaCode)(version.charCodeAt(j))) j++;
      out.push({ num, text: version.slice(i, j), pre: !num && (sep === '-' || sep === '~') });
      sep = '';
      i = j;
    } else {
      sep = version[i] as string;
      i++;
    }
  }
  return out;
}
