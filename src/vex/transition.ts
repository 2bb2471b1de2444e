import type { VexJustification, VexResponse } from '../formats/index.js';
import type { CompareVersions } from './evidence.js';
import type { ActContext, FixEvidence, LifecycleStatement, Revision } from './statement.js';
import { assertTransition } from './transitions.js';
import { newVersion } from './versioning.js';

/**
 * A status change and what the new status needs (VexStatement's rules): `affected` an action
 * statement, `not_affected` a justification or an impact statement, `fixed` evidence to publish
 * without approval.
 */
export type StatusChange =
  | { status: 'under_investigation'; statusNotes?: string }
  | {
      status: 'affected';
      actionStatement: string;
      responses?: readonly VexResponse[];
      statusNotes?: string;
    }
  | {
      status: 'not_affected';
      justification?: VexJustification;
      justificationDetail?: string;
      impactStatement?: string;
      statusNotes?: string;
    }
  | { status: 'fixed'; statusNotes?: string };

export interface ChangeStatusOptions extends ActContext {
  /** For `fixed`: the release SBOM's evidence; proven, the statement needs no approval. */
  evidence?: readonly FixEvidence[];
  compare?: CompareVersions;
}

/**
 * Change a statement's status along VEX_TRANSITIONS: a new statement version that keeps the
 * vulnerability, products, intelligence and confidentiality, and takes every status-specific
 * field from `change` (the old status's justification or action statement does not carry over).
 * @throws VexLifecycleError VEX_TRANSITION_INVALID, VEX_STATEMENT_INVALID (a required field
 *   missing), VEX_EVIDENCE_MISMATCH, VEX_SAME_PERSON, VEX_APPROVER_INVALID
 */
export function changeStatus(
  prev: LifecycleStatement,
  change: StatusChange,
  opts: ChangeStatusOptions,
): Revision {
  assertTransition(prev.status, change.status);
  const kept = carried(prev);
  const next: LifecycleStatement = { ...kept, ...change };
  return newVersion(prev, next, opts, { evidence: opts.evidence, compare: opts.compare });
}

/** What a statement keeps across a status change: what it is about, not what was concluded. */
export function carried(s: LifecycleStatement): LifecycleStatement {
  const {
    statusDetail: _sd,
    justification: _j,
    justificationDetail: _jd,
    impactStatement: _i,
    actionStatement: _a,
    responses: _r,
    statusNotes: _n,
    approvedBy: _ab,
    fixEvidence: _f,
    ...rest
  } = s;
  return rest;
}
