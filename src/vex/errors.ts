import { CustodyError } from '../core/index.js';

/**
 * The VEX lifecycle's codes (public API: never renamed or reused). The readers and writers in
 * formats/vex/ have their own VEX_* codes for documents; these are about statements changing.
 */
export type VexLifecycleErrorCode =
  /** A status change the transition table (VEX_TRANSITIONS) does not list. */
  | 'VEX_TRANSITION_INVALID'
  /** A statement missing what its status requires, or with a value outside the standard's lists. */
  | 'VEX_STATEMENT_INVALID'
  /** A judgment (affected, not_affected, unproven fixed) published without an approver. */
  | 'VEX_APPROVAL_REQUIRED'
  /** The approver is the person who drafted the statement. */
  | 'VEX_SAME_PERSON'
  /** The approver or discloser is no person (empty, the system, a token). */
  | 'VEX_APPROVER_INVALID'
  /** Fix evidence that does not show the fix (component below the fixed version, another product). */
  | 'VEX_EVIDENCE_MISMATCH'
  /** An edit declared a typo or formatting fix that changes what the statement says. */
  | 'VEX_CORRECTION_INVALID'
  /** Versions that would be both affected and fixed (or not affected) at once (seed 001, edge case 2). */
  | 'VEX_SCOPE_CONFLICT'
  /** A document version that is no integer (nor, for CSAF, MAJOR.MINOR.PATCH) to increment. */
  | 'VEX_DOCUMENT_VERSION_INVALID'
  /** A confidential statement asked to go public before it is disclosed. */
  | 'VEX_CONFIDENTIAL';

/** A lifecycle rule refused a change; `details` names the statement, the fields and the rule. */
export class VexLifecycleError extends CustodyError<VexLifecycleErrorCode> {}
