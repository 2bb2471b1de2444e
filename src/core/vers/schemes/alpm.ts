import { cmpDigits, defineScheme, isAlphaCode, isDigitCode } from './scheme.js';

type Evr = { epoch: string; version: string; release: string | null };

/** PKGBUILD's rules: pkgver of letters, digits, periods, underscores and '+'; pkgrel numeric. */
const ALPM_EVR = /^(?:\d+:)?[A-Za-z0-9._+]*[A-Za-z0-9][A-Za-z0-9._+]*(?:-\d+(?:\.\d+)?)?$/;

/**
 * Arch Linux (pacman's alpm_pkg_vercmp): [epoch:]pkgver[-pkgrel]; each part compared with pacman's
 * own rpmvercmp, which differs from rpm's (separator length counts, no '~'/'^', and a trailing
 * letter run is older than nothing: 1.5b < 1.5 < 1.5.a). The release is compared only when both
 * sides have one.
 */
export const alpmScheme = defineScheme<Evr>({
  versionProblem: (version) =>
    ALPM_EVR.test(version.trim())
      ? null
      : `"${version.slice(0, 80)}" is not a pacman version ([epoch:]pkgver[-pkgrel])`,
  parse(version) {
    const v = version.trim();
    const colon = v.indexOf(':');
    const epoch = colon > 0 && /^\d+$/.test(v.slice(0, colon)) ? v.slice(0, colon) : '0';
    const rest = colon === -1 ? v : v.slice(colon + 1);
    const dash = rest.lastIndexOf('-');
    return dash === -1
      ? { epoch, version: rest, release: null }
      : { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) };
  },
  compare(a, b) {
    return (
      cmpDigits(a.epoch, b.epoch) ||
      alpmVercmp(a.version, b.version) ||
      (a.release === null || b.release === null ? 0 : alpmVercmp(a.release, b.release))
    );
  },
});

const isAlnum = (c: number) => isDigitCode(c) || isAlphaCode(c);

function alpmVercmp(a: string, b: string): number {
  if (a === b) return 0;
  let one = 0;
  let two = 0;
  let p1 = 0;
  let p2 = 0;
  while (one < a.length && two < b.length) {
    while (one < a.length && !isAlnum(a.charCodeAt(one))) one++;
    while (two < b.length && !isAlnum(b.charCodeAt(two))) two++;
    if (one >= a.length || two >= b.length) break;
    // Separators of different lengths decide on their own.
    if (one - p1 !== two - p2) return one - p1 < two - p2 ? -1 : 1;
    p1 = one;
    p2 = two;
    const num = isDigitCode(a.charCodeAt(p1));
    const test = num ? isDigitCode : isAlphaCode;
    while (p1 < a.length && test(a.charCodeAt(p1))) p1++;
    while (p2 < b.length && test(b.charCodeAt(p2))) p2++;
    if (two === p2) return num ? 1 : -1;
    const x = a.slice(one, p1);
    const y = b.slice(two, p2);
    const c = num ? cmpDigits(x, y) : x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c;
    one = p1;
    two = p2;
  }
  if (one >= a.length && two >= b.length) return 0;
  // pacman: a remaining letter run never beats the end; a remaining separator or digit does.
  const restA = one < a.length ? a.charCodeAt(one) : Number.NaN;
  const restB = two < b.length ? b.charCodeAt(two) : Number.NaN;
  if ((Number.isNaN(restA) && !isAlphaCode(restB)) || isAlphaCode(restA)) return -1;
  return 1;
}
