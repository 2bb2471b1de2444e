import { InventoryError } from '../../inventory/errors.js';
import { can, inScope, type Permission } from '../../inventory/roles.js';
import { teamIds } from '../../store/inventory.js';
import type { Caller, Services } from './context.js';

/** @throws InventoryError AUTH_FORBIDDEN when the caller's role lacks `permission` */
export function requirePermission(caller: Caller, permission: Permission): void {
  if (!can(caller.principal.role, permission)) {
    throw new InventoryError(
      'AUTH_FORBIDDEN',
      `A ${caller.principal.role} token may not do this (needs ${permission}); ask an admin for a token with the right role`,
      { details: { role: caller.principal.role, permission } },
    );
  }
}

/**
 * Team scoping: something outside the caller's teams is reported as not found, so that a token
 * cannot learn the names of other teams' products by probing.
 */
export function requireTeam(caller: Caller, team: string, what: string): void {
  if (!inScope(caller.principal, team)) {
    throw new InventoryError('INVENTORY_NOT_FOUND', `${what} does not exist`, {
      details: { what },
    });
  }
}

/** The team ids a caller may see; undefined means every team. */
export async function visibleTeamIds(s: Services, caller: Caller): Promise<number[] | undefined> {
  const teams = caller.principal.teams;
  return teams === undefined ? undefined : teamIds(s.db.read, teams);
}
