import { AccessError } from './errors.js';
import { type Principal, samePerson } from './principal.js';
import { can } from './roles.js';

/**
 * Separation of duties (Brief 3): a decision (a VEX approval, an exception, an emergency
 * certificate) is made by an approver who is not the person who asked for it. People are compared,
 * not tokens (`samePerson`): two tokens of one person are one person. The caller records both
 * people in the audit trail (`auditDecision` in app/).
 * @param requester the principal, or the person's name, that asked for the decision
 * @throws AccessError AUTH_FORBIDDEN when the decider may not decide (no `decision:write`);
 *   AUTH_SAME_PERSON when the decider is the requester
 */
export function requireSecondPerson(decider: Principal, requester: Principal | string): void {
  if (!can(decider.role, 'decision:write')) {
    throw new AccessError(
      'AUTH_FORBIDDEN',
      `A ${decider.role} token may not decide (needs decision:write); an approver decides`,
      { details: { role: decider.role, permission: 'decision:write' } },
    );
  }
  if (samePerson(decider, requester)) {
    const person = typeof requester === 'string' ? requester : requester.person;
    throw new AccessError(
      'AUTH_SAME_PERSON',
      `${person} asked for this, so another person must decide it: an approver other than the requester`,
      { details: { person } },
    );
  }
}
