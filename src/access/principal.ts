import type { Role } from './roles.js';

/** What a caller is: the token's identity, role and team scope. */
export interface Principal {
  /** `token:<id>:<name>` or `cli` */
  actor: string;
  /**
   * The person behind the credential. Separation of duties compares this, never the token: two
   * tokens of one person are one person. `cli` for commands run on the data directory.
   */
  person: string;
  role: Role;
  /** Team names the principal is limited to; undefined means organisation-wide. */
  teams: readonly string[] | undefined;
}

/** Whether the principal may see (or act within) `team`. */
export function inScope(p: Principal, team: string): boolean {
  return p.teams === undefined || p.teams.includes(team);
}

/** Who is asking and from where; every write records both in the audit trail. */
export interface Caller {
  principal: Principal;
  /** Client address, or `cli` for commands run on the data directory. */
  source: string;
}

/** Whether two principals are the same person (separation of duties). */
export function samePerson(a: Principal, b: Principal | string): boolean {
  const other = typeof b === 'string' ? b : b.person;
  return a.person.trim().toLowerCase() === other.trim().toLowerCase();
}
