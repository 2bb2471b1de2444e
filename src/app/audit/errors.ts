import { CustodyError } from '../../core/index.js';

/** Codes of the tamper-evident audit trail. Public API: never renamed or reused. */
export type AuditTrailErrorCode =
  /** Anchoring needs the transparency log, which this process runs without. */
  'AUDIT_ANCHOR_UNAVAILABLE';

export class AuditTrailError extends CustodyError<AuditTrailErrorCode> {}
