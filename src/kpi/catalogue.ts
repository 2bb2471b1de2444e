import type { KpiDefinition } from '../api/index.js';
import { OPERATIONS_KPIS } from './catalogue-operations.js';
import { SIGNING_KPIS } from './catalogue-signing.js';

export { DRILL_VALID_DAYS, LONG_WINDOW_DAYS, RUNBOOK_VALID_DAYS, WINDOW_DAYS } from './windows.js';

/**
 * Every metric and KPI the four briefs name (seeds/000), with what is counted over what and
 * where it comes from. Ids are `b<brief>.<name>` and never change once shipped: snapshots keep them.
 * "Service" is a product that is not third-party (products.supplier = 0).
 */
export const KPI_CATALOGUE: readonly KpiDefinition[] = Object.freeze([
  ...SIGNING_KPIS,
  ...OPERATIONS_KPIS,
]);

/** @returns the definition, or undefined for an unknown id */
export function kpiById(id: string): KpiDefinition | undefined {
  return KPI_CATALOGUE.find((k) => k.id === id);
}
