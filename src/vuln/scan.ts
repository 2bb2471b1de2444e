import { type AdvisoryIndex, matchPurl } from './advisory-index.js';
import { type Severity, severityOf } from './severity.js';

/** One component affected by one advisory. */
export interface Finding {
  purl: string;
  /** The advisory's id (GHSA-…, GO-…, RUSTSEC-…, PYSEC-…, CVE-…). */
  id: string;
  aliases: string[];
  summary?: string;
  severity: Severity;
  /** The first version that fixes it (none: no fixed version is known). */
  fixed?: string;
  /** Every id the finding is known by (id first, then aliases): for KEV, EPSS and VEX look-ups. */
  ids: string[];
}

/** An advisory names the component's package but cannot say whether its version is affected. */
export interface ScanProblem {
  purl: string;
  id: string;
  kind: 'unparseable-version' | 'indeterminate';
  message: string;
}

/** A component that could not be matched at all. */
export interface SkippedComponent {
  purl: string;
  reason: 'purl-invalid' | 'no-version' | 'ecosystem-unknown';
  message: string;
}

export interface ScanResult {
  findings: Finding[];
  problems: ScanProblem[];
  skipped: SkippedComponent[];
  /** Distinct purls looked up. */
  components: number;
}

/**
 * Match components (by purl) against the advisory index: every (component, advisory) pair whose
 * version is affected, in a stable order (purl, then advisory id). A purl listed twice is matched
 * once. Components without a purl are the caller's to count.
 */
export function scanPurls(index: AdvisoryIndex, purls: Iterable<string>): ScanResult {
  const findings: Finding[] = [];
  const problems: ScanProblem[] = [];
  const skipped: SkippedComponent[] = [];
  const seen = new Set<string>();
  for (const purl of purls) {
    if (seen.has(purl)) continue;
    seen.add(purl);
    const m = matchPurl(index, purl);
    if (m.kind === 'skipped') {
      skipped.push({ purl, reason: m.reason, message: m.message });
      continue;
    }
    for (const hit of m.hits) {
      const r = hit.record;
      const f: Finding = {
        purl,
        id: r.id,
        aliases: [...r.aliases],
        severity: severityOf(r, hit.affectedIndexes),
        ids: [r.id, ...r.aliases.filter((a) => a !== r.id)],
      };
      if (r.summary !== undefined) f.summary = r.summary;
      if (hit.fixed !== undefined) f.fixed = hit.fixed;
      findings.push(f);
    }
    for (const p of m.problems)
      problems.push({
        purl,
        id: p.record.id,
        kind: p.verdict.kind,
        message: p.verdict.kind === 'unparseable-version' ? p.verdict.problem : p.verdict.reason,
      });
  }
  const order = (a: { purl: string; id: string }, b: { purl: string; id: string }) =>
    a.purl < b.purl ? -1 : a.purl > b.purl ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  findings.sort(order);
  problems.sort(order);
  return { findings, problems, skipped, components: seen.size };
}
