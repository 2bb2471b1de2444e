import type SqliteDatabase from 'better-sqlite3';
import type { Selectable } from 'kysely';
import type { FollowUpInput } from '../inventory/index.js';
import { insertAll } from './component-index-sqlite.js';
import type { Q } from './db.js';
import type { Database } from './schema.js';

export type FollowUpRow = Selectable<Database['follow_ups']>;

const DAY_MS = 86_400_000;
/** Rows per INSERT: 12 columns each, well under SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 200;

/**
 * Open the new SBOM's follow-ups inside its ingest transaction, carrying the opening time of
 * those the superseded version already had open, and close the superseded version's (see
 * InventoryStore.recordSbom's contract).
 */
export async function recordFollowUps(
  q: Q,
  o: {
    teamId: number;
    sbomId: number;
    supersedes: number | null;
    slaDays: number;
    items: readonly FollowUpInput[];
    now: string;
  },
  /** The SQLite connection `q` is a transaction on: rows go in through prepared statements. */
  sqlite?: SqliteDatabase.Database,
): Promise<void> {
  const opened = new Map<string, string>();
  if (o.supersedes !== null) {
    const old = await q
      .selectFrom('follow_ups')
      .select(['check_id', 'component', 'purl', 'opened_at'])
      .where('sbom_id', '=', o.supersedes)
      .where('resolved_at', 'is', null)
      .execute();
    for (const r of old) opened.set(keyOf(r.check_id, r.purl, r.component), r.opened_at);
  }
  const carried = new Set<string>();
  // Most rows open now: one due date each for the few distinct opening times.
  const dueOf = new Map<string, string>();
  const due = (openedAt: string) => {
    let d = dueOf.get(openedAt);
    if (d === undefined) {
      d = new Date(Date.parse(openedAt) + o.slaDays * DAY_MS).toISOString();
      dueOf.set(openedAt, d);
    }
    return d;
  };
  const rows = o.items.map((f) => {
    const key = keyOf(f.check, f.purl, f.label);
    const openedAt = opened.get(key) ?? o.now;
    if (opened.has(key)) carried.add(key);
    return {
      team_id: o.teamId,
      sbom_id: o.sbomId,
      check_id: f.check,
      component_ref: f.ref,
      component: f.label,
      purl: f.purl,
      message: f.message,
      opened_at: openedAt,
      sla_days: o.slaDays,
      due_at: due(openedAt),
      resolved_at: null,
      resolution: null,
    };
  });
  if (sqlite) {
    // A row a component on a typical SBOM: building Kysely's query tree for each cost more than
    // the rows' insertion.
    const params: unknown[] = [];
    for (const r of rows)
      params.push(
        r.team_id,
        r.sbom_id,
        r.check_id,
        r.component_ref,
        r.component,
        r.purl,
        r.message,
        r.opened_at,
        r.sla_days,
        r.due_at,
        null,
        null,
      );
    insertAll(
      sqlite,
      'INSERT INTO follow_ups (team_id, sbom_id, check_id, component_ref, component, purl, message, opened_at, sla_days, due_at, resolved_at, resolution) VALUES',
      12,
      params,
    );
  } else {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await q
        .insertInto('follow_ups')
        .values(rows.slice(i, i + CHUNK))
        .execute();
    }
  }
  if (o.supersedes === null || opened.size === 0) return;
  await q
    .updateTable('follow_ups')
    .set({ resolved_at: o.now, resolution: 'fixed' })
    .where('sbom_id', '=', o.supersedes)
    .where('resolved_at', 'is', null)
    .execute();
  if (carried.size === 0) return;
  // Those that moved to the new version are marked as such (fewer rows than the update above).
  const old = await q
    .selectFrom('follow_ups')
    .select(['id', 'check_id', 'component', 'purl'])
    .where('sbom_id', '=', o.supersedes)
    .where('resolved_at', '=', o.now)
    .execute();
  const ids = old
    .filter((r) => carried.has(keyOf(r.check_id, r.purl, r.component)))
    .map((r) => r.id);
  for (let i = 0; i < ids.length; i += CHUNK) {
    await q
      .updateTable('follow_ups')
      .set({ resolution: 'carried' })
      .where('id', 'in', ids.slice(i, i + CHUNK))
      .execute();
  }
}

// A component is the same across versions by its purl, else by its label (refs are tool-specific).
function keyOf(check: string, purl: string | null, label: string): string {
  return `${check}\u0000${purl ?? `~${label}`}`;
}

export interface FollowUpFilter {
  /** Team ids the caller may see; undefined: every team. */
  teamIds: readonly number[] | undefined;
  state: 'open' | 'overdue' | 'all';
  sbomId?: number;
  product?: string;
  check?: string;
  /** Rows with an id below this (pages, newest first). */
  before?: number;
  limit: number;
  now: string;
}

export interface FollowUpListRow extends FollowUpRow {
  team: string;
  product: string;
  release: string;
}

/** Follow-ups matching `f`, newest first, with their team, product and release. */
export async function listFollowUps(q: Q, f: FollowUpFilter): Promise<FollowUpListRow[]> {
  let s = q
    .selectFrom('follow_ups as f')
    .innerJoin('sboms as s', 's.id', 'f.sbom_id')
    .innerJoin('releases as r', 'r.id', 's.release_id')
    .innerJoin('products as p', 'p.id', 's.product_id')
    .innerJoin('teams as t', 't.id', 'f.team_id')
    .selectAll('f')
    .select(['t.name as team', 'p.name as product', 'r.version as release'])
    .orderBy('f.id', 'desc')
    .limit(f.limit);
  if (f.teamIds !== undefined) s = s.where('f.team_id', 'in', f.teamIds.length ? f.teamIds : [-1]);
  if (f.state !== 'all') s = s.where('f.resolved_at', 'is', null);
  if (f.state === 'overdue') s = s.where('f.due_at', '<', f.now);
  if (f.sbomId !== undefined) s = s.where('f.sbom_id', '=', f.sbomId);
  if (f.product !== undefined) s = s.where('p.name', '=', f.product);
  if (f.check !== undefined) s = s.where('f.check_id', '=', f.check);
  if (f.before !== undefined) s = s.where('f.id', '<', f.before);
  return s.execute();
}

/** Open and overdue follow-ups over the given teams (undefined: all), optionally of one SBOM. */
export async function countFollowUps(
  q: Q,
  teamIds: readonly number[] | undefined,
  now: string,
  sbomId?: number,
): Promise<{ open: number; overdue: number }> {
  let s = q
    .selectFrom('follow_ups')
    .where('resolved_at', 'is', null)
    .select((eb) => [
      eb.fn.countAll<number>().as('open'),
      eb.fn.sum<number>(eb.case().when('due_at', '<', now).then(1).else(0).end()).as('overdue'),
    ]);
  if (teamIds !== undefined) s = s.where('team_id', 'in', teamIds.length ? teamIds : [-1]);
  if (sbomId !== undefined) s = s.where('sbom_id', '=', sbomId);
  const r = await s.executeTakeFirstOrThrow();
  return { open: Number(r.open), overdue: Number(r.overdue ?? 0) };
}
