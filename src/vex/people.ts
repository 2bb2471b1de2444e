import { VexLifecycleError } from './errors.js';
import { SYSTEM_ACTOR } from './statement.js';

/**
 * Whether two names are one person: trimmed and compared case-insensitively, the same rule as
 * access/'s `samePerson` (vex/ may not import access/, so people arrive here as strings).
 */
export function samePersonName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * Throw unless `who` names a person: not empty, not the system, not a token (`token:…`, the
 * actor form of access/'s principals). A decision needs a person.
 * @throws VexLifecycleError VEX_APPROVER_INVALID
 */
export function assertPerson(who: string | undefined, role: string): asserts who is string {
  const name = who?.trim() ?? '';
  const problem =
    name === ''
      ? 'is empty'
      : samePersonName(name, SYSTEM_ACTOR)
        ? 'is the system, which never decides'
        : name.toLowerCase().startsWith('token:')
          ? 'is a token, not a person'
          : undefined;
  if (problem !== undefined) {
    throw new VexLifecycleError(
      'VEX_APPROVER_INVALID',
      `the ${role} ${problem}: name the person (their --person) who decides`,
      { details: { role } },
    );
  }
}

/**
 * Throw unless `approver` may approve what `drafter` drafted: a person, and another person.
 * @throws VexLifecycleError VEX_APPROVER_INVALID, VEX_SAME_PERSON
 */
export function assertSecondPerson(approver: string | undefined, drafter: string): void {
  assertPerson(approver, 'approver');
  if (samePersonName(approver, drafter)) {
    throw new VexLifecycleError(
      'VEX_SAME_PERSON',
      `${approver.trim()} drafted this statement and cannot approve it: another person must approve`,
      { details: { approver: approver.trim(), drafter: drafter.trim() } },
    );
  }
}
