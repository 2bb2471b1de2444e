export { computeKpis, type KpiScope } from './compute.js';
export type { Figure } from './figure.js';
export { listManualEntries, recordManualEntry } from './manual.js';
export {
  retakeSnapshot,
  type SnapshotResult,
  snapshotIfMissing,
  startKpiSnapshots,
} from './snapshots.js';
export { kpiHistory, listKpis, MAX_HISTORY_DAYS, resolveScope } from './views.js';
