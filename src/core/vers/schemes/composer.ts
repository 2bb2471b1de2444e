import { cmpDigits, cmpNum, defineScheme, isDigitCode } from './scheme.js';

/** What Composer's VersionParser normalises: numbered versions with a stability, or branches. */
const COMPOSER_VERSION =
  /^(?:v?\d+(?:\.(?:\d+|[xX*])){0,3}(?:[-._+]?(?:stable|beta|b|rc|alpha|a|patch|pl|p|dev)(?:[.-]?\d+)*)?(?:\+[0-9A-Za-z.-]+)?|dev-\S+)$/i;

/** PHP version_compare's special forms; unknown words sort below "dev". */
const SPECIAL: Readonly<Record<string, number>> = {
  dev: 0,
  alpha: 1,
  a: 1,
  beta: 2,
  b: 2,
  rc: 3,
  '#': 4,
  pl: 5,
  p: 5,
  patch: 5,
};

/**
 * Composer: PHP's version_compare after stripping a leading "v" (Composer normalises versions to
 * that form): '-', '_', '+' are dots, digit/letter changes split parts, numbers compare
 * numerically, words by dev < alpha < beta < RC < release < patch. Good enough for advisory
 * ranges; branch versions ("dev-main") are not ordered meaningfully.
 */
export const composerScheme = defineScheme<string[]>({
  versionProblem: (version) =>
    COMPOSER_VERSION.test(version.trim())
      ? null
      : `"${version.slice(0, 80)}" is not a Composer version (1.2.3, v1.2.3-beta1, 1.x-dev, dev-main)`,
  parse(version) {
    const v = version
      .trim()
      .replace(/^v(?=\d)/i, '')
      .toLowerCase();
    const parts: string[] = [];
    let cur = '';
    for (let i = 0; i < v.length; i++) {
      const ch = v[i] as string;
      if (ch === '.' || ch === '-' || ch === '_' || ch === '+') {
        if (cur !== '') parts.push(cur);
        cur = '';
      } else if (cur !== '' && isDigitCode(cur.charCodeAt(0)) !== isDigitCode(ch.charCodeAt(0))) {
        parts.push(cur);
        cur = ch;
      } else cur += ch;
    }
    if (cur !== '') parts.push(cur);
    return parts;
  },
  compare(a, b) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a[i];
      const y = b[i];
      const c = comparePart(x ?? null, y ?? null);
      if (c !== 0) return c;
    }
    return 0;
  },
});

function rank(p: string): number {
  return SPECIAL[p] ?? -1;
}

function comparePart(x: string | null, y: string | null): number {
  if (x === null && y === null) return 0;
  // A missing part is a release ("#"): "1.0" > "1.0-beta", "1.0" < "1.0.1" and "1.0" < "1.0-pl1".
  if (x === null) return isNum(y as string) ? -1 : cmpNum(rank('#'), rank(y as string));
  if (y === null) return isNum(x) ? 1 : cmpNum(rank(x), rank('#'));
  const xn = isNum(x);
  const yn = isNum(y);
  if (xn && yn) return cmpDigits(x, y);
  if (!xn && !yn) return cmpNum(rank(x), rank(y));
  return xn ? cmpNum(rank('#'), rank(y)) : cmpNum(rank(x), rank('#'));
}

function isNum(p: string): boolean {
  return isDigitCode(p.charCodeAt(0));
}
