import type { Caller, Role } from '../../../../src/access/index.js';
import { CLI_CALLER, createToken } from '../../../../src/app/tokens.js';
import type { TestServices } from '../../../helpers/store.js';

/** A caller backed by a real token (so `recheckCaller` finds it), as the API would build it. */
export async function callerFor(
  s: TestServices,
  role: Role,
  person: string,
  teams?: string[],
): Promise<Caller> {
  const t = await createToken(s, CLI_CALLER, { role, person, ...(teams ? { teams } : {}) });
  return {
    principal: { actor: `token:${t.id}:${t.name}`, person, role, teams: t.teams },
    source: '127.0.0.1',
  };
}

export async function count(s: TestServices, table: string): Promise<number> {
  // biome-ignore lint/suspicious/noExplicitAny: any table of the store
  const r = await (s.db.kysely as any)
    .selectFrom(table)
    .select((eb: { fn: { countAll: () => { as: (n: string) => unknown } } }) =>
      eb.fn.countAll().as('n'),
    )
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function auditActions(s: TestServices, prefix: string): Promise<string[]> {
  const rows = await s.db.kysely
    .selectFrom('audit_events')
    .select('action')
    .where('action', 'like', `${prefix}%`)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.action);
}
