import type { Selectable } from 'kysely';
import type { Q } from './db.js';
import type { Database } from './schema.js';

export type LoginGrantRow = Selectable<Database['login_grants']>;
export type LoginRequestRow = Selectable<Database['login_requests']>;

export async function insertLoginGrant(
  q: Q,
  g: {
    issuer: string;
    subject: string | null;
    email: string | null;
    person: string;
    role: string;
    teams: readonly string[] | undefined;
    createdBy: string;
    now: string;
    expiresAt: string | null;
  },
): Promise<number> {
  const row = await q
    .insertInto('login_grants')
    .values({
      issuer: g.issuer,
      subject: g.subject,
      email: g.email,
      person: g.person,
      role: g.role,
      teams: JSON.stringify(g.teams ?? []),
      created_by: g.createdBy,
      created_at: g.now,
      expires_at: g.expiresAt,
      revoked_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Grants not revoked and not expired at `now` for this issuer's subject or email, oldest first. */
export async function findLiveGrants(
  q: Q,
  who: { issuer: string; subject: string | null; email: string | null },
  now: string,
): Promise<LoginGrantRow[]> {
  return q
    .selectFrom('login_grants')
    .selectAll()
    .where('issuer', '=', who.issuer)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .where((eb) => {
      const alts = [];
      if (who.subject !== null) alts.push(eb('subject', '=', who.subject));
      if (who.email !== null) alts.push(eb('email', '=', who.email));
      return alts.length === 0 ? eb.lit(false) : eb.or(alts);
    })
    .orderBy('id')
    .execute();
}

/** Whether the identity ever had a grant of this subject, live or not. */
export async function hasAnyGrant(
  q: Q,
  who: { issuer: string; subject: string },
): Promise<boolean> {
  const r = await q
    .selectFrom('login_grants')
    .select('id')
    .where('issuer', '=', who.issuer)
    .where('subject', '=', who.subject)
    .executeTakeFirst();
  return r !== undefined;
}

export async function findLoginGrantById(q: Q, id: number): Promise<LoginGrantRow | undefined> {
  return q.selectFrom('login_grants').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listLoginGrants(q: Q): Promise<LoginGrantRow[]> {
  return q.selectFrom('login_grants').selectAll().orderBy('id').execute();
}

export async function revokeLoginGrant(q: Q, id: number, now: string): Promise<boolean> {
  const r = await q
    .updateTable('login_grants')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Revoke the live session tokens a grant created (their created_by is `login-grant:<id>`). */
export async function revokeTokensCreatedBy(q: Q, createdBy: string, now: string): Promise<number> {
  const r = await q
    .updateTable('tokens')
    .set({ revoked_at: now })
    .where('created_by', '=', createdBy)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * Keep a login request unless `limit` are pending already; false then. Requests nobody came back
 * for are dropped as new ones arrive, so the table stays small.
 */
export async function insertLoginRequest(
  q: Q,
  r: LoginRequestRow,
  now: string,
  limit: number,
): Promise<boolean> {
  await q.deleteFrom('login_requests').where('expires_at', '<=', now).execute();
  const n = await q
    .selectFrom('login_requests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  if (Number(n.n) >= limit) return false;
  await q.insertInto('login_requests').values(r).execute();
  return true;
}

/** Take a login request once: it is deleted as it is read, so a state is never used twice. */
export async function takeLoginRequest(
  q: Q,
  stateHash: string,
): Promise<LoginRequestRow | undefined> {
  return q
    .deleteFrom('login_requests')
    .where('state_hash', '=', stateHash)
    .returningAll()
    .executeTakeFirst();
}
