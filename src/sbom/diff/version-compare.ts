/**
 * Order two versions of one package well enough to call a change an upgrade or a downgrade.
 * Not a full per-ecosystem implementation (that is `vuln/`'s job); the rules are:
 * - Debian (`deb`, or any version with an epoch `N:`): dpkg's algorithm — epoch, then upstream and
 *   revision compared with `verrevcmp` (`~` sorts before anything, even the end).
 * - Versions starting with a digit (optionally after `v`): semver-like. Build metadata (`+…`) is
 *   ignored; the part before the first `-` is split on `.` and compared segment by segment
 *   (numerically when both are digits, missing segments count as 0, so `1.0` = `1.0.0`); a version
 *   with a pre-release (`-rc.1`, `-SNAPSHOT`) sorts before the same version without one, and
 *   pre-release identifiers compare as semver says (numbers before words, numerically).
 * - Anything else: natural order (runs of digits numerically, other runs as text).
 * @returns negative when a < b, 0 when equal in that order, positive when a > b.
 */
export function compareVersions(a: string, b: string, ecosystem: string): number {
  if (a === b) return 0;
  if (ecosystem === 'deb' || /^\d+:/.test(a) || /^\d+:/.test(b)) return sign(compareDebian(a, b));
  const sa = stripV(a);
  const sb = stripV(b);
  if (/^\d/.test(sa) && /^\d/.test(sb)) return sign(compareSemverLike(sa, sb));
  return sign(compareNatural(a, b));
}

function stripV(v: string): string {
  return /^[vV]\d/.test(v) ? v.slice(1) : v;
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

function compareSemverLike(a: string, b: string): number {
  const [mainA, preA] = splitPre(a.split('+')[0] ?? '');
  const [mainB, preB] = splitPre(b.split('+')[0] ?? '');
  const segA = mainA.split('.');
  const segB = mainB.split('.');
  for (let i = 0; i < Math.max(segA.length, segB.length); i++) {
    const c = compareSegment(segA[i] ?? '0', segB[i] ?? '0');
    if (c !== 0) return c;
  }
  if (preA === undefined || preB === undefined) {
    if (preA === preB) return 0;
    return preA === undefined ? 1 : -1; // a release follows its pre-releases
  }
  const idsA = preA.split('.');
  const idsB = preB.split('.');
  for (let i = 0; i < Math.min(idsA.length, idsB.length); i++) {
    const c = comparePreId(idsA[i] ?? '', idsB[i] ?? '');
    if (c !== 0) return c;
  }
  return idsA.length - idsB.length;
}

function splitPre(v: string): [string, string | undefined] {
  const dash = v.indexOf('-');
  return dash < 0 ? [v, undefined] : [v.slice(0, dash), v.slice(dash + 1)];
}

function compareSegment(a: string, b: string): number {
  if (isDigits(a) && isDigits(b)) return compareNumeric(a, b);
  return compareNatural(a, b);
}

// semver §11: numeric identifiers sort before alphanumeric ones.
function comparePreId(a: string, b: string): number {
  const da = isDigits(a);
  const db = isDigits(b);
  if (da && db) return compareNumeric(a, b);
  if (da !== db) return da ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Digit strings of any length, without overflow. */
function compareNumeric(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareNatural(a: string, b: string): number {
  const ta = a.match(/\d+|\D+/g) ?? [];
  const tb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) {
    const x = ta[i] ?? '';
    const y = tb[i] ?? '';
    const c = isDigits(x) && isDigits(y) ? compareNumeric(x, y) : x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c;
  }
  return ta.length - tb.length;
}

function isDigits(s: string): boolean {
  return s !== '' && /^\d+$/.test(s);
}

// Debian Policy §5.6.12: [epoch:]upstream_version[-debian_revision].
function compareDebian(a: string, b: string): number {
  const pa = parseDebian(a);
  const pb = parseDebian(b);
  const e = compareNumeric(pa.epoch, pb.epoch);
  if (e !== 0) return e;
  return verrevcmp(pa.upstream, pb.upstream) || verrevcmp(pa.revision, pb.revision);
}

function parseDebian(v: string): { epoch: string; upstream: string; revision: string } {
  const m = /^(\d+):(.*)$/.exec(v);
  const epoch = m?.[1] ?? '0';
  const rest = m?.[2] ?? v;
  const dash = rest.lastIndexOf('-');
  return dash < 0
    ? { epoch, upstream: rest, revision: '' }
    : { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) };
}

// dpkg's lib/dpkg/version.c verrevcmp: letters sort before non-letters, `~` before everything.
function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigitAt(a, i)) || (j < b.length && !isDigitAt(b, j))) {
      const ac = order(a, i);
      const bc = order(b, j);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (isDigitAt(a, i) && isDigitAt(b, j)) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigitAt(a, i)) return 1;
    if (isDigitAt(b, j)) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

function order(s: string, i: number): number {
  if (i >= s.length) return 0;
  const ch = s[i] ?? '';
  if (isDigitAt(s, i)) return 0;
  if (/[A-Za-z]/.test(ch)) return ch.charCodeAt(0);
  if (ch === '~') return -1;
  return ch.charCodeAt(0) + 256;
}
