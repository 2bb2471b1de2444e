import type { SbomDocument } from '../model.js';
import { documentCheck } from './check-helpers.js';
import type { CheckResult } from './types.js';

const DAY_MS = 86_400_000;
/** Full score up to this age. */
export const FRESH_DAYS = 30;
/** Score reaches 0 at this age (linear in between). */
export const STALE_DAYS = 365;
/** Clock skew tolerated for timestamps slightly in the future. */
const SKEW_DAYS = 1;

/** Age of the SBOM's timestamp in days against `now`, or undefined when it has no readable one. */
export function ageInDays(doc: SbomDocument, now: Date): number | undefined {
  if (doc.timestamp === undefined) return undefined;
  const t = Date.parse(doc.timestamp);
  if (Number.isNaN(t) || Number.isNaN(now.getTime())) return undefined;
  return (now.getTime() - t) / DAY_MS;
}

/** An SBOM describes a build at one moment: the older it is, the less it says about today. */
export function freshnessChecks(doc: SbomDocument, now: Date): CheckResult[] {
  const spec = { id: 'freshness.timestamp-age', category: 'freshness', weight: 1 } as const;
  const age = ageInDays(doc, now);
  if (age === undefined) return [documentCheck(spec, 0, 'no readable timestamp: age unknown')];
  if (age < -SKEW_DAYS) {
    return [documentCheck(spec, 0, `the timestamp is ${Math.round(-age)} days in the future`)];
  }
  const days = Math.max(0, Math.floor(age));
  const score =
    age <= FRESH_DAYS
      ? 10
      : age >= STALE_DAYS
        ? 0
        : (10 * (STALE_DAYS - age)) / (STALE_DAYS - FRESH_DAYS);
  return [
    documentCheck(
      spec,
      score,
      `${days} days old (full score up to ${FRESH_DAYS}, none after ${STALE_DAYS})`,
    ),
  ];
}
