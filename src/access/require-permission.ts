import { AccessError } from './errors.js';
import type { Principal } from './principal.js';
import { can, type Permission } from './roles.js';

/** @throws AccessError AUTH_FORBIDDEN when the principal's role lacks `permission` */
export function requirePermission(p: Principal, permission: Permission): void {
  if (!can(p.role, permission)) {
    throw new AccessError(
      'AUTH_FORBIDDEN',
      `A ${p.role} token may not do this (needs ${permission}); ask an admin for a token with the right role`,
      { details: { role: p.role, permission } },
    );
  }
}

/**
 * Figures that cover every team (metrics) would tell a team-scoped token about other teams.
 * @throws AccessError AUTH_FORBIDDEN for a principal limited to some teams
 */
export function requireOrganisationWide(p: Principal, message: string): void {
  if (p.teams !== undefined) throw new AccessError('AUTH_FORBIDDEN', message);
}
