import { type Caller, inScope } from '../../access/index.js';
import { InventoryError } from '../../inventory/index.js';
import { teamIds } from '../../store/catalogue.js';
import type { Services } from '../services.js';

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
export async function visibleTeamIds(
  s: Pick<Services, 'db'>,
  caller: Caller,
): Promise<number[] | undefined> {
  const teams = caller.principal.teams;
  return teams === undefined ? undefined : teamIds(s.db.read, teams);
}

export function notFound(what: string): InventoryError {
  return new InventoryError('INVENTORY_NOT_FOUND', `${what} does not exist`);
}
