import type { Selectable } from 'kysely';
import type { Q } from './db.js';
import type { Database } from './schema.js';

export type TlogReporterRow = Selectable<Database['tlog_reporters']>;
export type TlogInconsistencyRow = Selectable<Database['tlog_reporter_inconsistencies']>;

/** Replace a reporter's latest report. @returns true when the name was new */
export async function upsertReporter(q: Q, r: TlogReporterRow): Promise<boolean> {
  const had = await q
    .selectFrom('tlog_reporters')
    .select('name')
    .where('name', '=', r.name)
    .executeTakeFirst();
  await q
    .insertInto('tlog_reporters')
    .values(r)
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({
        kind: r.kind,
        origin: r.origin,
        size: r.size,
        root_hash: r.root_hash,
        verified_at: r.verified_at,
        received_at: r.received_at,
        actor: r.actor,
      }),
    )
    .execute();
  return had === undefined;
}

export async function insertInconsistency(
  q: Q,
  r: Omit<TlogInconsistencyRow, 'id'>,
): Promise<void> {
  await q.insertInto('tlog_reporter_inconsistencies').values(r).execute();
}

export async function listReporters(q: Q): Promise<TlogReporterRow[]> {
  return q.selectFrom('tlog_reporters').selectAll().orderBy('name').execute();
}

/** Every reported inconsistency, oldest first (they are rare, and each one matters). */
export async function listInconsistencies(q: Q): Promise<TlogInconsistencyRow[]> {
  return q.selectFrom('tlog_reporter_inconsistencies').selectAll().orderBy('id').execute();
}
