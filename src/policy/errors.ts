import { CustodyError } from '../core/index.js';

/** The policy domain's codes (public API: never renamed or reused). */
export type PolicyErrorCode =
  /** A rule's expression does not parse or type-check as CEL, or is not a boolean. */
  | 'POLICY_COMPILE_FAILED'
  /** A rule could cost more than the limits allow: too many nodes, too deep, a regex that can backtrack, a step, size or time budget spent. */
  | 'POLICY_TOO_COSTLY'
  /** A policy source or one of its rules over the size cap. */
  | 'POLICY_TOO_LARGE'
  /** A policy document that is not the policy format (name, version, rules, params). */
  | 'POLICY_INVALID'
  /** An evidence document that is not the evidence format. */
  | 'POLICY_EVIDENCE_INVALID';

/** A policy was refused; `details` names the policy, the rule and the limit or position. */
export class PolicyError extends CustodyError<PolicyErrorCode> {}
