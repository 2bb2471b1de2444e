import { cmpNum, cmpStr, defineScheme } from './scheme.js';

/** RFC 3339 date-time (§5.6), canonical form: uppercase 'T' and 'Z'; compiled once. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;
const RFC3339_ANY_CASE = new RegExp(RFC3339.source, 'i');

type Instant = { ms: number; frac: string } | { ms: null; raw: string };

/**
 * Datetime versions order by the instant they name, so offsets and trailing fractional zeros do
 * not matter ("2024-01-01T00:00:00Z" equals "2023-12-31T19:00:00-05:00").
 */
export const datetimeScheme = defineScheme<Instant>({
  parse(version) {
    const m = RFC3339_ANY_CASE.exec(version);
    if (m === null) return { ms: null, raw: version };
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as number[];
    const zone = (m[8] as string).toUpperCase();
    const offsetMin =
      zone === 'Z'
        ? 0
        : (zone.startsWith('-') ? -1 : 1) *
          (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    const ms = Date.UTC(y as number, (mo as number) - 1, d, h, mi, s) - offsetMin * 60_000;
    return { ms, frac: (m[7] ?? '').replace(/0+$/, '') };
  },
  compare(a, b) {
    if (a.ms === null || b.ms === null) {
      if (a.ms !== null) return 1;
      if (b.ms !== null) return -1;
      return cmpStr(a.raw, b.raw);
    }
    return cmpNum(a.ms, b.ms) || cmpStr(a.frac, b.frac);
  },
  versionProblem: (version) =>
    RFC3339_ANY_CASE.test(version)
      ? null
      : `"${version.slice(0, 80)}" is not an RFC 3339 date-time`,
  canonicalProblem(version) {
    if (RFC3339.test(version)) return null;
    if (RFC3339_ANY_CASE.test(version)) return 'datetime must use uppercase T and Z';
    return 'datetime versions must be RFC 3339 date-times';
  },
});
