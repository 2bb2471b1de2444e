import type { VexResponse } from '../formats/index.js';
import { needsApproval } from './approval.js';
import type { ActContext, LifecycleStatement, Revision } from './statement.js';
import { changeStatus } from './transition.js';
import { reviseStatement } from './versioning.js';

/**
 * Seed 001's EOL announcement, "Update (no fixes)": the statement becomes `affected` with the
 * `will_not_fix` response (CycloneDX `will_not_fix`, CSAF `no_fix_planned`) and `actionStatement`
 * saying what customers should do instead (OpenVEX's action statement). From under_investigation
 * it is a status change; an affected statement gets the response and the new action statement
 * (`update` dropped: no update is coming). A new version that needs approval (matrix: Manual).
 * A fixed or not_affected statement is left as it is (nothing to fix): versioned false, no trail.
 * @throws VexLifecycleError VEX_STATEMENT_INVALID (an empty action statement), VEX_SAME_PERSON
 */
export function endOfLife(
  s: LifecycleStatement,
  actionStatement: string,
  ctx: ActContext,
): Revision {
  if (s.status === 'fixed' || s.status === 'not_affected') {
    return { statement: s, versioned: false, needsApproval: needsApproval(s), trail: [] };
  }
  const kept = (s.responses ?? []).filter((r) => r !== 'update' && r !== 'will_not_fix');
  const responses: VexResponse[] = ['will_not_fix', ...kept];
  if (s.status === 'under_investigation') {
    return changeStatus(s, { status: 'affected', actionStatement, responses }, ctx);
  }
  return reviseStatement(s, { actionStatement, responses }, ctx);
}
