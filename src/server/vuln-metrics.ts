import type { Registry } from 'prom-client';
import type { Services } from '../app/services.js';
import { vulnerabilityFigures } from '../app/vulnerabilities/read-vulnerabilities.js';
import { scrapeGauges } from './scrape-gauges.js';

/**
 * The vulnerability figures of `/metrics` (organisation-wide): open findings by severity, MTTR of
 * CVSS ≥ 7 findings with its numerator and denominator, and advisory ingest → affected list ready.
 * Computed once per scrape (every gauge of one scrape reads the same figures).
 */
export function registerVulnMetrics(registry: Registry, s: Services): void {
  const gauge = scrapeGauges(registry, () => vulnerabilityFigures(s));
  gauge(
    'custody_vuln_findings_open',
    'Open vulnerability findings (advisory × artifact × package) by severity rating',
    (g, f) => {
      for (const [severity, n] of Object.entries(f.openByRating)) g.set({ severity }, n);
    },
    ['severity'],
  );
  gauge(
    'custody_vuln_mttr_seconds',
    'Mean time to remediate findings of CVSS ≥ 7 (or rated high/critical without a score): opened → closed as fixed, over the findings closed so (NaN before the first)',
    (g, f) => g.set(f.remediation.mttrSeconds ?? Number.NaN),
  );
  gauge(
    'custody_vuln_mttr_seconds_sum',
    'MTTR numerator: seconds from opened to closed, summed over remediated CVSS ≥ 7 findings',
    (g, f) => g.set(f.remediation.secondsSum),
  );
  gauge(
    'custody_vuln_mttr_findings',
    'MTTR denominator: CVSS ≥ 7 findings closed as remediated (fixed by a later SBOM, or a VEX fixed)',
    (g, f) => g.set(f.remediation.count),
  );
  gauge(
    'custody_vuln_high_findings_closed_unremediated',
    'CVSS ≥ 7 findings closed without a fix (advisory withdrawn, no longer affected, VEX not_affected), by reason; not in the MTTR',
    (g, f) => {
      for (const [reason, n] of Object.entries(f.closedOther)) g.set({ reason }, n);
    },
    ['reason'],
  );
  gauge('custody_advisories', 'Advisories ingested (withdrawn ones included)', (g, f) =>
    g.set(f.advisories),
  );
  gauge('custody_advisories_withdrawn', 'Advisories withdrawn', (g, f) =>
    g.set(f.withdrawnAdvisories),
  );
  gauge(
    'custody_advisory_versions_pending_match',
    'Advisory versions ingested whose affected list is not ready yet (matching job pending)',
    (g, f) => g.set(f.pendingAdvisoryVersions),
  );
  gauge(
    'custody_advisory_affected_ready_seconds_sum',
    'Seconds from an advisory version’s ingest to its affected list being ready, summed over the versions matched',
    (g, f) => g.set(f.affectedReady.secondsSum),
  );
  gauge(
    'custody_advisory_affected_ready_seconds_count',
    'Advisory versions whose affected list is ready',
    (g, f) => g.set(f.affectedReady.count),
  );
  gauge(
    'custody_advisory_affected_ready_seconds_max',
    'The longest time from an advisory version’s ingest to its affected list being ready',
    (g, f) => g.set(f.affectedReady.secondsMax),
  );
  gauge(
    'custody_vuln_feed_entries',
    'Entries of the loaded KEV catalogue and EPSS file',
    (g, f) => {
      for (const x of f.feeds) g.set({ feed: x.name }, x.entries);
    },
    ['feed'],
  );
}
