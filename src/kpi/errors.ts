import { CustodyError } from '../core/index.js';

/** Codes of the KPI catalogue, its history and its hand-entered figures. */
export type KpiErrorCode =
  /** No KPI has this id (the catalogue: `custody kpi list`, GET /api/v1/kpis). */
  | 'KPI_NOT_FOUND'
  /** A hand-entered figure that does not fit its KPI (not a manual one, bad value, day or text). */
  | 'KPI_ENTRY_INVALID'
  /** A history or list query out of range (days, team). */
  | 'KPI_QUERY_INVALID';

export class KpiError extends CustodyError<KpiErrorCode> {}
