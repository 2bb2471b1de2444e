import { VexLifecycleError } from './errors.js';
import { assertSecondPerson } from './people.js';
import type { LifecycleStatement, Revision } from './statement.js';

/**
 * Whether a statement needs a second person's approval before it is published. Judgments do
 * (affected, not_affected: seed 001's "Semi-automated (human approval)"); so does a `fixed`
 * without proven fix evidence (then a person judged it fixed) and an `under_investigation` that
 * gives mitigation guidance (a workaround: "Semi" in the matrix). An automatic draft
 * (under_investigation, no guidance) and a `fixed` proven by the release's SBOM need none.
 */
export function needsApproval(s: LifecycleStatement): boolean {
  if (s.approvedBy !== undefined) return false;
  switch (s.status) {
    case 'affected':
    case 'not_affected':
      return true;
    case 'fixed':
      return (s.fixEvidence?.length ?? 0) === 0;
    case 'under_investigation':
      return (s.responses?.length ?? 0) > 0 || s.actionStatement !== undefined;
    default: {
      const never: never = s.status;
      return never;
    }
  }
}

/**
 * A second person approves the statement's current version, in place (approval changes nothing
 * the statement says; the trail records it).
 * @throws VexLifecycleError VEX_APPROVER_INVALID (no person), VEX_SAME_PERSON (the drafter)
 */
export function approveStatement(s: LifecycleStatement, approver: string, now: string): Revision {
  assertSecondPerson(approver, s.draftedBy);
  const statement: LifecycleStatement = { ...s, approvedBy: approver.trim() };
  return {
    statement,
    versioned: false,
    needsApproval: false,
    trail: [
      {
        field: 'approvedBy',
        kind: 'approval',
        before: s.approvedBy,
        after: approver.trim(),
        by: approver.trim(),
        at: now,
        version: s.version,
      },
    ],
  };
}

/**
 * Throw unless the statement may be published: approved when it needs approval, and not
 * confidential (a confidential statement goes public only through discloseStatement).
 * @throws VexLifecycleError VEX_APPROVAL_REQUIRED, VEX_CONFIDENTIAL
 */
export function assertPublishable(s: LifecycleStatement): void {
  if (s.confidential === true) {
    throw new VexLifecycleError(
      'VEX_CONFIDENTIAL',
      'this statement is confidential (private disclosure): disclose it before publishing it',
      { details: { version: s.version } },
    );
  }
  if (needsApproval(s)) {
    throw new VexLifecycleError(
      'VEX_APPROVAL_REQUIRED',
      `a ${s.status} statement is a judgment: another person than ${s.draftedBy.trim()} must approve it before it is published`,
      { details: { status: s.status, version: s.version, draftedBy: s.draftedBy.trim() } },
    );
  }
}
