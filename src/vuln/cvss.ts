import cvssLibrary from 'ae-cvss-calculator';
import { VulnError } from './errors.js';

/** FIRST's qualitative ratings (CVSS v3.x/v4.0 §5; v2 has no "none" or "critical"). */
export type SeverityRating = 'none' | 'low' | 'medium' | 'high' | 'critical';

export interface CvssScore {
  version: '2.0' | '3.0' | '3.1' | '4.0';
  vector: string;
  /** The base score, 0.0–10.0 (CVSS v4.0: CVSS-B, the base metrics alone). */
  baseScore: number;
  rating: SeverityRating;
}

// Every base metric must be present: ae-cvss-calculator scores a partial vector as 0 without a word.
const BASE_METRICS: Readonly<Record<CvssScore['version'], readonly string[]>> = {
  '2.0': ['AV', 'AC', 'Au', 'C', 'I', 'A'],
  '3.0': ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  '3.1': ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  '4.0': ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'],
};

/**
 * The base score and rating of a CVSS v2.0, v3.0, v3.1 or v4.0 vector (untrusted text), computed
 * by ae-cvss-calculator after Custody checks the vector's form: known prefix, `metric:value`
 * parts, no metric twice, every base metric present.
 * @throws VulnError VULN_CVSS_INVALID
 */
export function computeCvss(vector: string): CvssScore {
  const version = versionOf(vector);
  const parts = vector.split('/');
  const metrics = new Map<string, string>();
  for (const part of version === '2.0' ? parts : parts.slice(1)) {
    const m = /^([A-Za-z]+):([A-Za-z]+)$/.exec(part);
    if (!m) invalid(vector, `"${part.slice(0, 20)}" is not a metric:value pair`);
    if (metrics.has(m[1] as string)) invalid(vector, `metric ${m[1]} appears twice`);
    metrics.set(m[1] as string, m[2] as string);
  }
  const missing = BASE_METRICS[version].filter((k) => !metrics.has(k));
  if (missing.length > 0) invalid(vector, `base metric(s) ${missing.join(', ')} missing`);
  let base: unknown;
  try {
    const Class =
      version === '4.0'
        ? cvssLibrary.Cvss4P0
        : version === '3.1'
          ? cvssLibrary.Cvss3P1
          : version === '3.0'
            ? cvssLibrary.Cvss3P0
            : cvssLibrary.Cvss2;
    const scores = new Class(vector).calculateScores() as { base?: unknown };
    base = scores.base;
  } catch (cause) {
    invalid(vector, (cause as Error).message, cause);
  }
  if (typeof base !== 'number' || !Number.isFinite(base) || base < 0 || base > 10)
    invalid(vector, 'no base score could be computed (a metric value is not one CVSS defines)');
  return { version, vector, baseScore: base, rating: ratingOf(base, version) };
}

/** The qualitative rating of a score (CVSS v2 has low/medium/high only). */
export function ratingOf(score: number, version: CvssScore['version'] = '3.1'): SeverityRating {
  if (version === '2.0') return score < 4 ? 'low' : score < 7 ? 'medium' : 'high';
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

function versionOf(vector: string): CvssScore['version'] {
  if (vector.length > 300) invalid(vector.slice(0, 40), 'longer than any CVSS vector');
  if (vector.startsWith('CVSS:4.0/')) return '4.0';
  if (vector.startsWith('CVSS:3.1/')) return '3.1';
  if (vector.startsWith('CVSS:3.0/')) return '3.0';
  if (/^AV:[NAL]\//.test(vector)) return '2.0';
  return invalid(
    vector,
    'it starts with neither CVSS:3.0/, CVSS:3.1/, CVSS:4.0/ nor a v2 AV metric',
  );
}

function invalid(vector: string, why: string, cause?: unknown): never {
  throw new VulnError(
    'VULN_CVSS_INVALID',
    `"${vector.slice(0, 120)}" is not a usable CVSS vector: ${why}`,
    cause === undefined
      ? { details: { vector: vector.slice(0, 300) } }
      : { cause, details: { vector: vector.slice(0, 300) } },
  );
}
