import type { Insertable, Selectable } from 'kysely';
import type { Q } from './db.js';
import type { Database } from './schema.js';

/** An emergency request with its team's name. */
export type EmergencyRequestRow = Selectable<Database['emergency_requests']> & { team: string };

export async function insertEmergencyRequest(
  q: Q,
  r: Omit<Insertable<Database['emergency_requests']>, 'id' | 'status'>,
): Promise<number> {
  const row = await q
    .insertInto('emergency_requests')
    .values({ ...r, status: 'pending' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findEmergencyRequest(
  q: Q,
  id: number,
): Promise<EmergencyRequestRow | undefined> {
  return q
    .selectFrom('emergency_requests as e')
    .innerJoin('teams as t', 't.id', 'e.team_id')
    .selectAll('e')
    .select('t.name as team')
    .where('e.id', '=', id)
    .executeTakeFirst();
}

/** Newest first; `teams` limits to those teams (undefined: all). */
export async function listEmergencyRequests(
  q: Q,
  o: { teams?: readonly string[]; status?: string; limit: number },
): Promise<EmergencyRequestRow[]> {
  let query = q
    .selectFrom('emergency_requests as e')
    .innerJoin('teams as t', 't.id', 'e.team_id')
    .selectAll('e')
    .select('t.name as team');
  if (o.teams !== undefined) {
    if (o.teams.length === 0) return [];
    query = query.where('t.name', 'in', [...o.teams]);
  }
  if (o.status !== undefined) query = query.where('e.status', '=', o.status);
  return query.orderBy('e.id', 'desc').limit(o.limit).execute();
}

/**
 * Claim a pending request for one approver: only one claim can win, whatever runs concurrently
 * (the update is conditional on the status). Returns whether this one did.
 */
export async function claimEmergencyRequest(
  q: Q,
  id: number,
  approver: { actor: string; person: string; at: string },
): Promise<boolean> {
  const r = await q
    .updateTable('emergency_requests')
    .set({
      status: 'issuing',
      approver_actor: approver.actor,
      approver_person: approver.person,
      decided_at: approver.at,
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Undo a claim whose certificate could not be issued or logged: the request is pending again. */
export async function releaseEmergencyRequest(q: Q, id: number): Promise<void> {
  await q
    .updateTable('emergency_requests')
    .set({ status: 'pending', approver_actor: null, approver_person: null, decided_at: null })
    .where('id', '=', id)
    .where('status', '=', 'issuing')
    .execute();
}

/** Record the issued (and logged) certificate. Returns false when the claim was lost meanwhile. */
export async function completeEmergencyRequest(
  q: Q,
  id: number,
  c: {
    serialNumber: string;
    notBefore: string;
    notAfter: string;
    chainPem: readonly string[];
    tlogIndex: number;
  },
): Promise<boolean> {
  const r = await q
    .updateTable('emergency_requests')
    .set({
      status: 'issued',
      serial_number: c.serialNumber,
      not_before: c.notBefore,
      not_after: c.notAfter,
      certificate_chain: JSON.stringify(c.chainPem),
      tlog_index: c.tlogIndex,
    })
    .where('id', '=', id)
    .where('status', '=', 'issuing')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
