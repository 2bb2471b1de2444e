import type { VexStatus } from '../formats/index.js';
import { VexLifecycleError } from './errors.js';

/** One allowed status change, with the reason it is allowed (and when it happens). */
export interface VexTransition {
  readonly from: VexStatus;
  readonly to: VexStatus;
  readonly why: string;
}

/**
 * Every status change a statement may make; anything else is VEX_TRANSITION_INVALID. A change
 * within one status (a new justification, mitigation, scope or intelligence) is a revision, not a
 * transition (versioning.ts). Refused, with the reason:
 * - affected → under_investigation, fixed → under_investigation: both withdraw a warning without
 *   a conclusion, so customers would stop acting on it. Revise to a judgment instead
 *   (not_affected with its justification, or affected for a broken fix).
 * - not_affected → fixed: "fixed" says there was something to fix in these versions. If the
 *   analysis was wrong, say affected first (customers must know the earlier versions were
 *   exposed), then fixed.
 * - fixed → not_affected: both tell scanners to suppress; rewriting "fixed" as "never affected"
 *   adds nothing for customers and erases the record of the fix.
 */
export const VEX_TRANSITIONS: readonly VexTransition[] = [
  {
    from: 'under_investigation',
    to: 'affected',
    why: 'analysis completed: affected (seed 001, initial publication; needs an action statement)',
  },
  {
    from: 'under_investigation',
    to: 'not_affected',
    why: 'analysis completed: not affected, or a false positive (edge case 4); needs a justification or an impact statement',
  },
  {
    from: 'under_investigation',
    to: 'fixed',
    why: 'a release with the fix shipped before the analysis ended: the fixed versions contain the fix whatever the analysis finds',
  },
  {
    from: 'affected',
    to: 'fixed',
    why: 'patch released (seed 001, VEX updates: "change status to fixed")',
  },
  {
    from: 'affected',
    to: 'not_affected',
    why: 'analysis revised: the initial assessment was incorrect (seed 001, VEX updates)',
  },
  {
    from: 'not_affected',
    to: 'affected',
    why: 'analysis revised: the product is affected after all (a new exploit path, a wrong justification)',
  },
  {
    from: 'not_affected',
    to: 'under_investigation',
    why: 'analysis reopened on new information: the safe direction, scanners stop suppressing the finding while people look again',
  },
  {
    from: 'fixed',
    to: 'affected',
    why: 'regression: the fix was incomplete or reverted, or these versions turn out to be affected',
  },
];

/** True when the table lists `from` → `to`. */
export function isAllowedTransition(from: VexStatus, to: VexStatus): boolean {
  return VEX_TRANSITIONS.some((t) => t.from === from && t.to === to);
}

/**
 * Throw unless the table lists `from` → `to`; the message names the statuses `from` may go to.
 * @throws VexLifecycleError VEX_TRANSITION_INVALID
 */
export function assertTransition(from: VexStatus, to: VexStatus): VexTransition {
  const found = VEX_TRANSITIONS.find((t) => t.from === from && t.to === to);
  if (found !== undefined) return found;
  const allowed = VEX_TRANSITIONS.filter((t) => t.from === from).map((t) => t.to);
  const hint =
    from === to
      ? `it is already ${to}: revise the statement instead of changing its status`
      : allowed.length === 0
        ? `${from} changes to no other status`
        : `${from} may change to ${allowed.join(' or ')}`;
  throw new VexLifecycleError(
    'VEX_TRANSITION_INVALID',
    `a statement cannot change from ${from} to ${to}: ${hint}`,
    { details: { from, to, allowed } },
  );
}
