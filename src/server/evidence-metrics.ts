import type { Registry } from 'prom-client';
import { evidenceFigures } from '../app/provenance/evidence-figures.js';
import type { Services } from '../app/services.js';
import { scrapeGauges } from './scrape-gauges.js';

/**
 * Release evidence in `/metrics`: rebuild fidelity, third-party (supplier) provenance coverage,
 * releases per SLSA Build level, and pinned vs floating resolved dependencies (Brief 2). Computed
 * once per scrape.
 */
export function registerEvidenceMetrics(registry: Registry, s: Services): void {
  const gauge = scrapeGauges(registry, () => evidenceFigures(s));
  gauge(
    'custody_rebuild_checks',
    'Rebuild checks stored, by outcome (match: bit for bit the released artifact)',
    (g, f) => {
      g.set({ outcome: 'match' }, f.rebuilds.matching);
      g.set({ outcome: 'mismatch' }, f.rebuilds.total - f.rebuilds.matching);
    },
    ['outcome'],
  );
  gauge(
    'custody_rebuild_fidelity_ratio',
    'Rebuild fidelity: matching rebuild checks / all rebuild checks (NaN before the first)',
    (g, f) => g.set(f.rebuilds.fidelity ?? Number.NaN),
  );
  gauge('custody_supplier_products', 'Products taken in through supplier intake', (g, f) =>
    g.set(f.suppliers.products),
  );
  gauge(
    'custody_supplier_provenance_coverage_ratio',
    'Third-party coverage: supplier products with verified SLSA provenance / supplier products (NaN without any)',
    (g, f) => g.set(f.suppliers.coverage ?? Number.NaN),
  );
  gauge(
    'custody_releases_slsa_level',
    'Releases by the SLSA Build level their stored evidence supports',
    (g, f) => {
      for (const [level, n] of f.releasesByLevel.entries()) g.set({ level: String(level) }, n);
    },
    ['level'],
  );
  gauge(
    'custody_resolved_dependencies',
    "Resolved dependencies in releases' provenance: pinned (with a digest) or floating",
    (g, f) => {
      g.set({ state: 'pinned' }, f.dependencies.pinned);
      g.set({ state: 'floating' }, f.dependencies.floating);
    },
    ['state'],
  );
}
