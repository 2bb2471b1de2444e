import { AccessError, type Caller } from '../access/index.js';
import type { Q } from '../store/db.js';
import { findTokenById } from '../store/tokens.js';

/** The actor of a principal that came from an API token (`TokenAuthenticator`). */
const TOKEN_ACTOR = /^token:(\d+):/;

/**
 * Re-read the caller's own token inside a write's transaction, before the write's access checks.
 * The authenticator caches a principal for a few seconds on each replica, so without this a token
 * revoked (or expired) a moment ago, on this replica or another, could still create tokens or set
 * gates. Callers that are not API tokens (`cli`: commands on the data directory) pass as they are.
 * @throws AccessError AUTH_TOKEN_INVALID when the token is gone, revoked, expired, or no longer
 *   has the role and teams the caller claims
 */
export async function recheckCaller(q: Q, caller: Caller, at: string): Promise<void> {
  const m = TOKEN_ACTOR.exec(caller.principal.actor);
  if (!m) return;
  const p = caller.principal;
  const row = await findTokenById(q, Number(m[1]));
  const current =
    row !== undefined &&
    row.revoked_at === null &&
    (row.expires_at === null || Date.parse(row.expires_at) > Date.parse(at)) &&
    row.role === p.role &&
    sameTeams(JSON.parse(row.teams) as string[], p.teams);
  if (!current) {
    throw new AccessError(
      'AUTH_TOKEN_INVALID',
      'The token is unknown, expired or revoked; create a new one with custody token create',
    );
  }
}

/** A token row stores organisation-wide as `[]`; a principal as `undefined`. */
function sameTeams(stored: readonly string[], held: readonly string[] | undefined): boolean {
  if (held === undefined) return stored.length === 0;
  return stored.length === held.length && stored.every((t) => held.includes(t));
}
