import type { SbomDocument } from '../model.js';
import { ageInDays, freshnessChecks } from './check-freshness.js';
import { round2 } from './check-helpers.js';
import { identificationChecks } from './check-identification.js';
import { integrityChecks } from './check-integrity.js';
import { licensingChecks } from './check-licensing.js';
import { ntiaChecks } from './check-ntia.js';
import { structureChecks } from './check-structure.js';
import type {
  CategoryId,
  CategoryResult,
  CheckResult,
  QualityReport,
  ScoreOptions,
} from './types.js';

/**
 * Share of the total score per category. NTIA minimum elements weigh most (they are what every
 * consumer needs); the rest follow sbomqs's spirit: identifiers, integrity, licences, structure.
 */
export const CATEGORY_WEIGHTS: Readonly<Record<CategoryId, number>> = {
  ntia: 30,
  identification: 15,
  integrity: 15,
  licensing: 15,
  structure: 15,
  freshness: 10,
};

/**
 * Score an SBOM's quality 0–10 with every check's result and the components that fail it.
 * Pure: time arrives as `opts.now`, schema validity as `opts.schemaValid`.
 * @example scoreSbom(doc, { now: new Date(), schemaValid: true })
 */
export function scoreSbom(doc: SbomDocument, opts: ScoreOptions): QualityReport {
  const checks: CheckResult[] = [
    ...ntiaChecks(doc),
    ...identificationChecks(doc),
    ...integrityChecks(doc),
    ...licensingChecks(doc),
    ...structureChecks(doc, opts),
    ...freshnessChecks(doc, opts.now),
  ];
  const categories = (Object.keys(CATEGORY_WEIGHTS) as CategoryId[]).map((id) =>
    categoryResult(
      id,
      checks.filter((c) => c.category === id),
    ),
  );
  const score = Math.round(weightedMean(categories) * 10) / 10;
  const report: QualityReport = {
    score,
    grade: gradeOf(score),
    components: doc.components.length,
    evaluatedAt: Number.isNaN(opts.now.getTime()) ? '' : opts.now.toISOString(),
    categories,
  };
  const age = ageInDays(doc, opts.now);
  if (age !== undefined) report.ageDays = round2(age);
  return report;
}

/** Every check of a report, in report order. */
export function allChecks(report: QualityReport): CheckResult[] {
  return report.categories.flatMap((c) => c.checks);
}

function categoryResult(id: CategoryId, checks: CheckResult[]): CategoryResult {
  const scored = checks.filter((c) => c.applicable);
  const weight = scored.reduce((s, c) => s + c.weight, 0);
  const score = weight === 0 ? 0 : scored.reduce((s, c) => s + c.weight * c.score, 0) / weight;
  return { id, weight: CATEGORY_WEIGHTS[id], score: round2(score), applicable: weight > 0, checks };
}

function weightedMean(categories: CategoryResult[]): number {
  const scored = categories.filter((c) => c.applicable);
  const weight = scored.reduce((s, c) => s + c.weight, 0);
  if (weight === 0) return 0;
  const mean = scored.reduce((s, c) => s + c.weight * c.score, 0) / weight;
  return Math.min(10, Math.max(0, mean));
}

function gradeOf(score: number): QualityReport['grade'] {
  if (score >= 9) return 'A';
  if (score >= 8) return 'B';
  if (score >= 7) return 'C';
  if (score >= 5) return 'D';
  return 'F';
}
