import type { Insertable, Selectable } from 'kysely';
import type { Q } from './db.js';
import type { Database } from './schema.js';

export type KpiSnapshotRow = Selectable<Database['kpi_snapshots']>;
export type KpiManualEntryRow = Selectable<Database['kpi_manual_entries']>;

/**
 * Store a day's figures. A row already there for the day, KPI and team is kept (the unique index
 * on day, kpi, coalesce(team, '')): the first snapshot of a day is the day's, so replicas that
 * snapshot at once, or a restart, change nothing. Returns the rows inserted.
 */
export async function insertSnapshots(
  q: Q,
  rows: readonly Insertable<Database['kpi_snapshots']>[],
): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += 500) {
    const r = await q
      .insertInto('kpi_snapshots')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    inserted += Number(r.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}

/** Whether the organisation-wide snapshot of `day` was taken. */
export async function hasSnapshot(q: Q, day: string): Promise<boolean> {
  const row = await q
    .selectFrom('kpi_snapshots')
    .select('id')
    .where('day', '=', day)
    .where('team', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** One KPI's points from `fromDay` on, oldest first (`team` null: organisation-wide). */
export async function snapshotPoints(q: Q, kpi: string, team: string | null, fromDay: string) {
  let query = q
    .selectFrom('kpi_snapshots')
    .select(['day', 'value', 'numerator', 'denominator'])
    .where('kpi', '=', kpi)
    .where('day', '>=', fromDay);
  query = team === null ? query.where('team', 'is', null) : query.where('team', '=', team);
  return query.orderBy('day').execute();
}

/** Each KPI's newest value on a day within [fromDay, toDay] (`team` null: organisation-wide). */
export async function valuesBetween(
  q: Q,
  team: string | null,
  fromDay: string,
  toDay: string,
): Promise<Map<string, number | null>> {
  let query = q
    .selectFrom('kpi_snapshots')
    .select(['kpi', 'day', 'value'])
    .where('day', '>=', fromDay)
    .where('day', '<=', toDay);
  query = team === null ? query.where('team', 'is', null) : query.where('team', '=', team);
  const out = new Map<string, number | null>();
  for (const r of await query.orderBy('day', 'desc').execute())
    if (!out.has(r.kpi)) out.set(r.kpi, r.value === null ? null : Number(r.value));
  return out;
}

/** Drop snapshots older than `beforeDay`; returns how many. */
export async function pruneSnapshots(q: Q, beforeDay: string): Promise<number> {
  const r = await q.deleteFrom('kpi_snapshots').where('day', '<', beforeDay).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}

export async function insertManualEntry(
  q: Q,
  row: Insertable<Database['kpi_manual_entries']>,
): Promise<number> {
  const r = await q
    .insertInto('kpi_manual_entries')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

/** Hand-entered figures, newest day first; of one KPI (or all) and from `fromDay` on. */
export async function manualEntries(
  q: Q,
  o: { kpis?: readonly string[]; fromDay?: string; limit: number },
): Promise<KpiManualEntryRow[]> {
  let query = q.selectFrom('kpi_manual_entries').selectAll();
  if (o.kpis !== undefined) query = query.where('kpi', 'in', o.kpis.length ? o.kpis : ['']);
  if (o.fromDay !== undefined) query = query.where('day', '>=', o.fromDay);
  return query.orderBy('day', 'desc').orderBy('id', 'desc').limit(o.limit).execute();
}

/** Every team, for per-team snapshots. */
export async function allTeams(q: Q): Promise<{ id: number; name: string }[]> {
  return q.selectFrom('teams').select(['id', 'name']).orderBy('name').execute();
}

/** The team a product belongs to (its name), for checking who may enter figures about it. */
export async function productTeams(
  q: Q,
  products: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (products.length === 0) return out;
  const rows = await q
    .selectFrom('products as p')
    .innerJoin('teams as t', 't.id', 'p.team_id')
    .select(['p.name as product', 't.name as team'])
    .where('p.name', 'in', products)
    .execute();
  for (const r of rows) out.set(r.product, r.team);
  return out;
}

/** Drop the day's snapshot (an admin takes it again). */
export async function deleteSnapshotsOf(q: Q, day: string): Promise<void> {
  await q.deleteFrom('kpi_snapshots').where('day', '=', day).execute();
}
