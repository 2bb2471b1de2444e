import type { OsvRecord, OsvSeverity } from '../formats/index.js';
import { type CvssScore, computeCvss, type SeverityRating } from './cvss.js';

/** A finding's severity: a score where a CVSS vector gives one, and a rating always. */
export interface Severity {
  /** CVSS base score (0–10), or null when only a qualitative rating is known. */
  score: number | null;
  rating: SeverityRating | 'unknown';
  /** Where it came from: `CVSS_V4`, `CVSS_V3`, `CVSS_V2`, `Ubuntu`, `database_specific`, `ecosystem_specific`, or `none`. */
  source: string;
  vector?: string;
}

/** Preference among an advisory's severities: the newest CVSS first. */
const ORDER: Readonly<Record<string, number>> = { CVSS_V4: 0, CVSS_V3: 1, CVSS_V2: 2, Ubuntu: 3 };

/**
 * The severity of an advisory for the `affected` entries that matched: their own `severity`, else
 * the record's; the newest CVSS version scored from its vector (a vector that does not score is
 * passed over); else an Ubuntu priority; else a `database_specific.severity` (GHSA's LOW, MODERATE,
 * HIGH, CRITICAL) or `ecosystem_specific.severity` of the entries or the record.
 */
export function severityOf(record: OsvRecord, affectedIndexes: readonly number[] = []): Severity {
  const entries = affectedIndexes.flatMap((i) => record.affected[i] ?? []);
  const own = entries.flatMap((a) => a.severity);
  const fromVectors = best(own.length > 0 ? own : record.severity);
  if (fromVectors !== undefined) return fromVectors;
  const labels: [string, unknown][] = [
    ...entries.map((a): [string, unknown] => [
      'database_specific',
      a.databaseSpecific?.['severity'],
    ]),
    ...entries.map((a): [string, unknown] => [
      'ecosystem_specific',
      a.ecosystemSpecific?.['severity'],
    ]),
    ['database_specific', record.databaseSpecific?.['severity']],
  ];
  for (const [source, label] of labels) {
    const rating = typeof label === 'string' ? ratingOfLabel(label) : undefined;
    if (rating !== undefined) return { score: null, rating, source };
  }
  return { score: null, rating: 'unknown', source: 'none' };
}

/** Every CVSS score an advisory's vectors give (those that do not score are left out). */
export function cvssScoresOf(severities: readonly OsvSeverity[]): CvssScore[] {
  return severities.flatMap((s) => {
    if (!s.type.startsWith('CVSS_')) return [];
    try {
      return [computeCvss(s.score)];
    } catch {
      return [];
    }
  });
}

function best(severities: readonly OsvSeverity[]): Severity | undefined {
  const sorted = [...severities].sort((a, b) => (ORDER[a.type] ?? 9) - (ORDER[b.type] ?? 9));
  for (const s of sorted) {
    if (s.type === 'Ubuntu') {
      const rating = ratingOfLabel(s.score);
      if (rating !== undefined) return { score: null, rating, source: 'Ubuntu' };
      continue;
    }
    const [score] = cvssScoresOf([s]);
    if (score !== undefined)
      return { score: score.baseScore, rating: score.rating, source: s.type, vector: s.score };
  }
  return undefined;
}

/** Ratings written as words by databases: GHSA's MODERATE is medium; Ubuntu's negligible is low. */
export function ratingOfLabel(label: string): SeverityRating | undefined {
  switch (label.trim().toLowerCase()) {
    case 'none':
      return 'none';
    case 'negligible':
    case 'low':
    case 'unimportant':
      return 'low';
    case 'medium':
    case 'moderate':
      return 'medium';
    case 'high':
    case 'important':
      return 'high';
    case 'critical':
      return 'critical';
    default:
      return undefined;
  }
}
