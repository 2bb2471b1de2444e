import { cmpDigits, defineScheme, isAlphaCode, isDigitCode } from './scheme.js';

type Evr = { epoch: string; version: string; release: string | null };

/** rpm's allowed characters in a version and a release; each must hold a letter or digit. */
const RPM_EVR =
  /^(?:\d+:)?[A-Za-z0-9._+~^]*[A-Za-z0-9][A-Za-z0-9._+~^]*(?:-[A-Za-z0-9._+~^]*[A-Za-z0-9][A-Za-z0-9._+~^]*)?$/;

/**
 * RPM: [epoch:]version[-release], each part compared with rpmvercmp (rpm 4.15+, with '~' sorting
 * before everything and '^' after the end but before anything else). A missing release matches
 * any release, as rpm does when a dependency names none.
 */
export const rpmScheme = defineScheme<Evr>({
  parse: parseEvr,
  versionProblem: (version) =>
    RPM_EVR.test(version.trim())
      ? null
      : `"${version.slice(0, 80)}" is not an RPM version ([epoch:]version[-release] of letters, digits and . _ + ~ ^)`,
  compare(a, b) {
    return (
      cmpDigits(a.epoch, b.epoch) ||
      rpmvercmp(a.version, b.version) ||
      (a.release === null || b.release === null ? 0 : rpmvercmp(a.release, b.release))
    );
  },
});

export function parseEvr(version: string): Evr {
  const v = version.trim();
  const colon = v.indexOf(':');
  const hasEpoch = colon > 0 && /^\d+$/.test(v.slice(0, colon));
  const epoch = hasEpoch ? v.slice(0, colon) : '0';
  const rest = colon >= 0 && (hasEpoch || colon === 0) ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf('-');
  return dash === -1
    ? { epoch, version: rest, release: null }
    : { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) };
}

const isAlnum = (c: number) => isDigitCode(c) || isAlphaCode(c);

/** rpm's rpmvercmp (lib/rpmvercmp.c). */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a.charCodeAt(i)) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b.charCodeAt(j)) && b[j] !== '~' && b[j] !== '^') j++;
    // '~' sorts before everything, even the end of the string.
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    // '^' sorts after the end of the string but before anything else.
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const r = compareSegment(a, i, b, j);
    if (r.cmp !== 0) return r.cmp;
    i = r.i;
    j = r.j;
  }
  if (i >= a.length && j >= b.length) return 0;
  // Whichever version still has characters left over wins.
  return i >= a.length ? -1 : 1;
}

/** One digit or letter run from each side; a numeric run is newer than a letter run. */
function compareSegment(a: string, i0: number, b: string, j0: number) {
  const num = isDigitCode(a.charCodeAt(i0));
  const test = num ? isDigitCode : isAlphaCode;
  let i = i0;
  let j = j0;
  while (i < a.length && test(a.charCodeAt(i))) i++;
  while (j < b.length && test(b.charCodeAt(j))) j++;
  if (j === j0) return { cmp: num ? 1 : -1, i, j };
  const x = a.slice(i0, i);
  const y = b.slice(j0, j);
  const cmp = num ? cmpDigits(x, y) : x < y ? -1 : x > y ? 1 : 0;
  return { cmp, i, j };
}
