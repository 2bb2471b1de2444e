import { CustodyError } from '../../../core/index.js';

/** Codes of the admission records' reads and reconciliation. Public API: never renamed or reused. */
export type AdmissionRecordsErrorCode =
  /** A filter, window or cursor of a decisions, deployments, report or reconciliation query. */
  | 'ADMISSION_RECORDS_QUERY_INVALID'
  /** Reconciliation was asked for, but this service checks no images (no admission engine). */
  | 'ADMISSION_RECONCILE_UNAVAILABLE';

export class AdmissionRecordsError extends CustodyError<AdmissionRecordsErrorCode> {}
