import { AccessError } from './errors.js';
import type { Principal } from './principal.js';
import { can, permissionsOf, type Role } from './roles.js';

/**
 * A caller may grant only what it holds. An organisation-wide admin is where grants start: it may
 * give any role, to any teams or organisation-wide (it holds `admin`, the power to assign roles;
 * granting `approver` does not let it decide anything itself). A caller limited to some teams may
 * create only tokens limited to teams it holds, never an organisation-wide one, and only of a
 * role whose every permission its own role holds (so a team admin cannot make approvers: an
 * organisation-wide admin does that).
 * Call after `requirePermission(p, 'admin')`.
 * @throws AccessError AUTH_FORBIDDEN
 */
export function requireGrantable(
  p: Principal,
  grant: { role: Role; teams: readonly string[] | undefined },
): void {
  if (p.teams === undefined) return;
  requireWithinTeams(p, grant.teams, 'create tokens');
  const beyond = permissionsOf(grant.role).filter((x) => !can(p.role, x));
  if (beyond.length > 0) {
    throw new AccessError(
      'AUTH_FORBIDDEN',
      `A team-scoped ${p.role} token may not grant the role ${grant.role} (it holds ${beyond.join(', ')}, which this token does not); ask an organisation-wide admin`,
      { details: { role: grant.role, beyond } },
    );
  }
}

/**
 * `teams` (a token's, or the teams a change touches) must all be among the caller's teams; an
 * organisation-wide caller holds every team. `undefined` (organisation-wide) or an empty list is
 * wider than any team-scoped caller.
 * @throws AccessError AUTH_FORBIDDEN
 */
export function requireWithinTeams(
  p: Principal,
  teams: readonly string[] | undefined,
  what: string,
): void {
  if (p.teams === undefined) return;
  const held = p.teams;
  if (teams === undefined || teams.length === 0) {
    throw new AccessError(
      'AUTH_FORBIDDEN',
      `A token limited to teams ${held.join(', ')} may ${what} only within those teams, not organisation-wide; name the teams`,
      { details: { teams: held } },
    );
  }
  const outside = teams.filter((t) => !held.includes(t));
  if (outside.length > 0) {
    throw new AccessError(
      'AUTH_FORBIDDEN',
      `A token limited to teams ${held.join(', ')} may ${what} only within those teams; ask an admin of the others`,
      { details: { teams: held, outside } },
    );
  }
}

/**
 * Only an organisation-wide admin may do this (create a team, set who may sign for a team).
 * @throws AccessError AUTH_FORBIDDEN
 */
export function requireOrganisationAdmin(p: Principal, what: string): void {
  if (p.teams !== undefined || !can(p.role, 'admin')) {
    throw new AccessError(
      'AUTH_FORBIDDEN',
      `Only an organisation-wide admin may ${what}; ask one to do it`,
      { details: { role: p.role, teams: p.teams ?? null } },
    );
  }
}
