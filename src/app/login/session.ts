import { randomBytes } from 'node:crypto';
import type { Caller, Role } from '../../access/index.js';
import type { SessionView } from '../../api/index.js';
import { findLiveGrants, type LoginGrantRow } from '../../store/login-grants.js';
import { findTokenById, insertToken, revokeToken } from '../../store/tokens.js';
import { audit } from '../audit-trail.js';
import { recheckCaller } from '../recheck-caller.js';
import type { Services } from '../services.js';
import { hashToken } from '../tokens.js';
import { LoginError } from './errors.js';
import { grantActor } from './grants.js';

export interface LoginSession {
  /** The session token (a `cust_` token named `login:<person>`), for the page only. */
  token: string;
  id: number;
  person: string;
  role: Role;
  teams: string[] | undefined;
  expiresAt: string;
}

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

/** A grant named by the subject wins over one named by a verified email. */
function pick(grants: LoginGrantRow[], subject: string): LoginGrantRow | undefined {
  return grants.find((g) => g.subject === subject) ?? grants[0];
}

/**
 * A session for an identity the provider vouched for: the token of its live login grant (by
 * subject, else by verified email), audited as `login.session`.
 * @throws LoginError LOGIN_NOT_GRANTED
 */
export async function createLoginSession(
  s: Services,
  who: { issuer: string; subject: string; email: string | null },
  o: { sessionTtlSeconds: number; dev: boolean },
  source: string,
): Promise<LoginSession> {
  const now = s.clock();
  const at = now.toISOString();
  const token = `cust_${randomBytes(32).toString('base64url')}`; // the form of app/tokens.ts
  return s.db.kysely.transaction().execute(async (trx) => {
    const grant = pick(await findLiveGrants(trx, who, at), who.subject);
    if (!grant)
      throw new LoginError(
        'LOGIN_NOT_GRANTED',
        `${who.email ?? who.subject} (${who.issuer}) may not log in to this service: ask an admin to run custody login-grant add`,
        { details: { issuer: who.issuer, subject: who.subject, email: who.email } },
      );
    const teams = JSON.parse(grant.teams) as string[];
    const ttlEnd = new Date(now.getTime() + o.sessionTtlSeconds * 1000).toISOString();
    const expiresAt =
      grant.expires_at !== null && grant.expires_at < ttlEnd ? grant.expires_at : ttlEnd;
    const role = grant.role as Role;
    const id = await insertToken(trx, {
      name: `login:${grant.person}`,
      person: grant.person,
      secretHash: hashToken(token),
      role,
      teams,
      createdBy: grantActor(grant.id),
      now: at,
      expiresAt,
    });
    // The one who logged in is the actor: the session is theirs from its first line.
    const caller: Caller = {
      principal: {
        actor: `token:${id}:login:${grant.person}`,
        person: grant.person,
        role,
        teams: teams.length === 0 ? undefined : teams,
      },
      source,
    };
    await audit(
      trx,
      caller,
      {
        action: 'login.session',
        target: `token:${id}`,
        ...(teams.length === 1 ? { team: teams[0] as string } : {}),
        details: { ...who, grant: grant.id, dev: o.dev, expiresAt },
      },
      at,
    );
    return {
      token,
      id,
      person: grant.person,
      role,
      teams: teams.length === 0 ? undefined : teams,
      expiresAt,
    };
  });
}
