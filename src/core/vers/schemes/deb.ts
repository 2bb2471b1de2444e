import { cmpDigits, cmpNum, defineScheme, isAlphaCode, isDigitCode } from './scheme.js';

type DebKey = { epoch: string; upstream: string; revision: string };

/**
 * Debian policy §5.6.12: an optional numeric epoch, an upstream version that starts with a digit
 * (A-Za-z0-9 . + ~, and '-' only when a revision follows), an optional revision.
 */
const DEB_VERSION = /^(?:\d+:)?\d[A-Za-z0-9.+~:-]*?(?:-[A-Za-z0-9.+~]+)?$/;

/**
 * Debian policy §5.6.12 (dpkg's verrevcmp): [epoch:]upstream[-revision]; non-digit runs compare
 * character by character with '~' before everything (even the end), letters before other
 * characters; digit runs compare numerically.
 */
export const debScheme = defineScheme<DebKey>({
  versionProblem: (version) =>
    DEB_VERSION.test(version.trim())
      ? null
      : `"${version.slice(0, 80)}" is not a Debian version ([epoch:]upstream[-revision], upstream starting with a digit)`,
  parse(version) {
    const v = version.trim();
    const colon = v.indexOf(':');
    const epoch = colon > 0 && /^\d+$/.test(v.slice(0, colon)) ? v.slice(0, colon) : '0';
    const rest = colon > 0 && /^\d+$/.test(v.slice(0, colon)) ? v.slice(colon + 1) : v;
    const dash = rest.lastIndexOf('-');
    return dash === -1
      ? { epoch, upstream: rest, revision: '' }
      : { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) };
  },
  compare(a, b) {
    return (
      cmpDigits(a.epoch, b.epoch) ||
      verrevcmp(a.upstream, b.upstream) ||
      verrevcmp(a.revision, b.revision)
    );
  },
});

/** dpkg's order(): '~' < end < letters < other characters. */
function order(c: number): number {
  if (Number.isNaN(c)) return 0;
  if (isDigitCode(c)) return 0;
  if (isAlphaCode(c)) return c;
  if (c === 126 /* ~ */) return -1;
  return c + 256;
}

export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while (
      (i < a.length && !isDigitCode(a.charCodeAt(i))) ||
      (j < b.length && !isDigitCode(b.charCodeAt(j)))
    ) {
      const ac = order(i < a.length ? a.charCodeAt(i) : Number.NaN);
      const bc = order(j < b.length ? b.charCodeAt(j) : Number.NaN);
      if (ac !== bc) return cmpNum(ac, bc);
      i++;
      j++;
    }
    const si = i;
    const sj = j;
    while (i < a.length && isDigitCode(a.charCodeAt(i))) i++;
    while (j < b.length && isDigitCode(b.charCodeAt(j))) j++;
    firstDiff = cmpDigits(a.slice(si, i) || '0', b.slice(sj, j) || '0');
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}
