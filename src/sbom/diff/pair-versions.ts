import { compareVersions, ecosystemScheme } from '../../core/vers/index.js';

export interface VersionPairing {
  /** [old, new] pairs: the same package before and after. */
  pairs: [string, string][];
  removed: string[];
  added: string[];
}

/**
 * Pair the versions of one package in two SBOMs (a package can be present at several versions):
 * exact matches first; then, among the rest, versions with the same first segment (major), highest
 * with highest; then the highest remaining old with the highest remaining new. What is left is removed or
 * added. Deterministic for any input order.
 */
export function pairVersions(
  oldVersions: readonly string[],
  newVersions: readonly string[],
  ecosystem: string,
): VersionPairing {
  const desc = (a: string, b: string) =>
    compareVersionsOf(ecosystem, b, a) || (a < b ? 1 : a > b ? -1 : 0);
  const newSet = new Set(newVersions);
  const pairs: [string, string][] = [];
  const oldLeft: string[] = [];
  for (const v of [...new Set(oldVersions)].sort(desc)) {
    if (newSet.has(v)) pairs.push([v, v]);
    else oldLeft.push(v);
  }
  const oldSet = new Set(oldVersions);
  let newLeft = [...newSet].filter((v) => !oldSet.has(v)).sort(desc);
  // Same major first (1.x upgraded within 1.x is likelier than 1.x becoming 2.x), highest with
  // highest: ranking both sides the same way keeps the pairing symmetric, so diff(b, a) mirrors
  // diff(a, b).
  const stillOld: string[] = [];
  for (const o of oldLeft) {
    const match = newLeft.find((n) => major(n) === major(o));
    if (match === undefined) {
      stillOld.push(o);
      continue;
    }
    pairs.push([o, match]);
    newLeft = newLeft.filter((n) => n !== match);
  }
  const n = Math.min(stillOld.length, newLeft.length);
  for (let i = 0; i < n; i++) pairs.push([stillOld[i] ?? '', newLeft[i] ?? '']);
  return { pairs, removed: stillOld.slice(n), added: newLeft.slice(n) };
}

/**
 * Order two versions of one package (negative, 0, positive) by the vers scheme of its purl type
 * (core/vers: npm, pypi, maven, deb, rpm, apk, … and "generic" for the rest), the same order that
 * vulnerability ranges use.
 */
export function compareVersionsOf(purlType: string, a: string, b: string): number {
  return compareVersions(ecosystemScheme(purlType), a, b);
}

function major(v: string): string {
  return /^[vV]?(\d+)/.exec(v.replace(/^\d+:/, ''))?.[1]?.replace(/^0+(?=\d)/, '') ?? v;
}
