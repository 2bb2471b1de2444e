/**
 * Whether `version` names one exact version rather than a range or tag: `^1.2`, `~1.2`, `>=1`,
 * `*`, `1.x`, `1.2.*`, `latest`, `1.0 - 2.0`, `1 || 2`, Maven `[1.0,2.0)` are not exact.
 */
export function isExactVersion(version: string): boolean {
  const v = version.trim();
  if (v === '') return false;
  if (/^(latest|next|stable|any|x|\*)$/i.test(v)) return false;
  if (/^[\^~<>=!]/.test(v)) return false;
  if (v.includes('||') || /\s/.test(v)) return false;
  // `1.x`, `1.2.*`, `1.X.0`: wildcard segments (a segment of only x/X/*).
  if (/(^|\.)[xX*](\.|$)/.test(v)) return false;
  // Maven/NuGet ranges: `[1.0,2.0)`, `(,1.0]`, `[1.0]` is exact but rare enough to flag.
  if (/^[[(].*[\])]$/.test(v)) return false;
  return true;
}
