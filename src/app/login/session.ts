import type { Caller } from '../../access/index.js';
import type { SessionView } from '../../api/session.js';
import { findTokenById, revokeToken } from '../../store/tokens.js';
import { audit } from '../audit-trail.js';
import { recheckCaller } from '../recheck-caller.js';
import type { Services } from '../services.js';

const TOKEN_ACTOR = /^token:(\d+):/;
/** Session tokens are named `login:<person>` and made by a grant (`login-grant:<id>`). */
const SESSION_MAKER = /^login-grant:\d+$/;

/** GET /api/v1/whoami: the caller, with its token's expiry (login sessions always have one). */
export async function sessionView(s: Services, caller: Caller): Promise<SessionView> {
  const p = caller.principal;
  const m = TOKEN_ACTOR.exec(p.actor);
  const row = m ? await findTokenById(s.db.read, Number(m[1])) : undefined;
  return {
    actor: p.actor,
    person: p.person,
    role: p.role,
    teams: p.teams ? [...p.teams] : null,
    expiresAt: row?.expires_at ?? null,
  };
}

/**
 * End the caller's login session (POST /api/v1/logout). An API token is not a session: it is not
 * revoked here (the page only forgets it; `custody token revoke` ends it), and the answer says so.
 * @throws AccessError AUTH_TOKEN_INVALID
 */
export async function logout(s: Services, caller: Caller): Promise<{ revoked: boolean }> {
  const m = TOKEN_ACTOR.exec(caller.principal.actor);
  if (!m) return { revoked: false };
  const id = Number(m[1]);
  const at = s.clock().toISOString();
  return s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, at);
    const row = await findTokenById(trx, id);
    if (!row || !SESSION_MAKER.test(row.created_by)) return { revoked: false };
    await revokeToken(trx, id, at);
    const teams = JSON.parse(row.teams) as string[];
    await audit(
      trx,
      caller,
      {
        action: 'login.logout',
        target: `token:${id}`,
        ...(teams.length === 1 ? { team: teams[0] as string } : {}),
        details: {},
      },
      at,
    );
    return { revoked: true };
  });
}
