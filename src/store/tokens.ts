import type { Selectable } from 'kysely';
import type { Q } from './db.js';
import type { Database } from './schema.js';

export type TokenRow = Selectable<Database['tokens']>;

export async function insertToken(
  q: Q,
  t: {
    name: string;
    person: string;
    secretHash: string;
    role: string;
    teams: readonly string[] | undefined;
    createdBy: string;
    now: string;
    expiresAt?: string;
  },
): Promise<number> {
  const row = await q
    .insertInto('tokens')
    .values({
      name: t.name,
      person: t.person,
      secret_hash: t.secretHash,
      role: t.role,
      teams: JSON.stringify(t.teams ?? []),
      created_at: t.now,
      created_by: t.createdBy,
      expires_at: t.expiresAt ?? null,
      revoked_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findTokenByHash(q: Q, secretHash: string): Promise<TokenRow | undefined> {
  return q
    .selectFrom('tokens')
    .selectAll()
    .where('secret_hash', '=', secretHash)
    .executeTakeFirst();
}

export async function findTokenById(q: Q, id: number): Promise<TokenRow | undefined> {
  return q.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function countTokens(q: Q): Promise<number> {
  const r = await q
    .selectFrom('tokens')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function listTokens(q: Q): Promise<TokenRow[]> {
  return q.selectFrom('tokens').selectAll().orderBy('id').execute();
}

export async function revokeToken(q: Q, id: number, now: string): Promise<boolean> {
  const r = await q
    .updateTable('tokens')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
