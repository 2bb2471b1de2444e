import type { Registry } from 'prom-client';
import { governanceFigures } from '../app/admission/governance/figures.js';
import type { Services } from '../app/services.js';
import { scrapeGauges } from './scrape-gauges.js';

/** Admission exceptions and mode overrides in `/metrics`, by state (active, expired, …). */
export function registerAdmissionGovernanceMetrics(registry: Registry, s: Services): void {
  const gauge = scrapeGauges(registry, () => governanceFigures(s, s.clock()));
  gauge(
    'custody_admission_exceptions',
    'Admission exceptions by state: active (approved, unexpired), pending, expired, revoked',
    (g, f) => {
      for (const [state, n] of Object.entries(f.exceptions)) g.set({ state }, n);
    },
    ['state'],
  );
  gauge(
    'custody_admission_overrides',
    'Admission mode overrides by state: active, pending, expired, reverted (health held), revoked',
    (g, f) => {
      for (const [state, n] of Object.entries(f.overrides)) g.set({ state }, n);
    },
    ['state'],
  );
}
