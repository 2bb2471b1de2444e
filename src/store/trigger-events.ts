import type { Insertable, Selectable } from 'kysely';
import type { Q } from './db.js';
import type { Database } from './schema.js';

export type TriggerEventRow = Selectable<Database['trigger_events']> & { team: string };
export type TriggerActionRow = Selectable<Database['trigger_actions']>;
export type TeamWebhookRow = Selectable<Database['team_webhooks']>;

const EVENT_COLUMNS = [
  'e.id',
  'e.idempotency_key',
  'e.source',
  'e.kind',
  'e.team_id',
  'e.product',
  'e.payload',
  'e.context',
  'e.decision',
  'e.received_at',
  'e.received_by',
  'e.overrides',
  't.name as team',
] as const;

function events(q: Q) {
  return q
    .selectFrom('trigger_events as e')
    .innerJoin('teams as t', 't.id', 'e.team_id')
    .select(EVENT_COLUMNS);
}

export async function findEventByKey(q: Q, key: string): Promise<TriggerEventRow | undefined> {
  return events(q).where('e.idempotency_key', '=', key).executeTakeFirst();
}

export async function findEvent(q: Q, id: number): Promise<TriggerEventRow | undefined> {
  return events(q).where('e.id', '=', id).executeTakeFirst();
}

/** Insert an event; undefined when its idempotency key is already there (a concurrent twin). */
export async function insertEvent(
  q: Q,
  row: Omit<Insertable<Database['trigger_events']>, 'id'>,
): Promise<number | undefined> {
  const r = await q
    .insertInto('trigger_events')
    .values(row)
    .onConflict((c) => c.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return r?.id;
}

export async function insertAction(
  q: Q,
  row: Omit<Insertable<Database['trigger_actions']>, 'id'>,
): Promise<number> {
  const r = await q
    .insertInto('trigger_actions')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function actionsOf(q: Q, eventIds: readonly number[]): Promise<TriggerActionRow[]> {
  if (eventIds.length === 0) return [];
  return q
    .selectFrom('trigger_actions')
    .selectAll()
    .where('event_id', 'in', eventIds)
    .orderBy('id')
    .execute();
}

export async function findAction(q: Q, id: number): Promise<TriggerActionRow | undefined> {
  return q.selectFrom('trigger_actions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Move an action from one state to another; false when it was not in `from` any more. */
export async function moveAction(
  q: Q,
  id: number,
  from: readonly string[],
  to: { state: string; done_at?: string | null; error?: string | null },
): Promise<boolean> {
  const r = await q
    .updateTable('trigger_actions')
    .set(to)
    .where('id', '=', id)
    .where('state', 'in', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function pendingActions(q: Q): Promise<{ id: number; target: string }[]> {
  return q
    .selectFrom('trigger_actions')
    .select(['id', 'target'])
    .where('state', '=', 'pending')
    .orderBy('id')
    .execute();
}

/** Actions not done (pending or failed) whose deadline has passed. */
export async function countOverdueActions(q: Q, now: string): Promise<number> {
  const r = await q
    .selectFrom('trigger_actions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('state', 'in', ['pending', 'failed'])
    .where('deadline', 'is not', null)
    .where('deadline', '<', now)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** A pending `sbom` action with the event it came from: an SBOM obligation a push may meet. */
export interface PendingSbomActionRow {
  action_id: number;
  deadline: string | null;
  event_id: number;
  team_id: number;
  product: string | null;
  payload: string;
  decision: string;
  received_at: string;
}

/** The pending `sbom` actions of one team, oldest first. */
export async function pendingSbomActions(
  q: Q,
  teamId: number,
  eventId?: number,
): Promise<PendingSbomActionRow[]> {
  let query = q
    .selectFrom('trigger_actions as a')
    .innerJoin('trigger_events as e', 'e.id', 'a.event_id')
    .select([
      'a.id as action_id',
      'a.deadline',
      'e.id as event_id',
      'e.team_id',
      'e.product',
      'e.payload',
      'e.decision',
      'e.received_at',
    ])
    .where('a.team_id', '=', teamId)
    .where('a.target', '=', 'sbom')
    .where('a.state', '=', 'pending');
  if (eventId !== undefined) query = query.where('e.id', '=', eventId);
  return query.orderBy('a.id').execute();
}

export interface StoredSbomPushRow {
  sbom_id: number;
  created_at: string;
  product: string;
  version: string;
  commit_sha: string | null;
  digest: string;
}

/**
 * The team's stored SBOMs (current or not) for a commit, an artifact digest, or a product's
 * release versions: the pushes an obligation created after them may already be met by. Oldest
 * first, at most `limit`.
 */
export async function storedSbomPushes(
  q: Q,
  teamId: number,
  by: { commit?: string; digest?: string; product?: string; versions?: readonly string[] },
  limit = 50,
): Promise<StoredSbomPushRow[]> {
  const { commit, digest, product, versions } = by;
  if (commit === undefined && digest === undefined && !(product && versions?.length)) return [];
  return q
    .selectFrom('sboms as s')
    .innerJoin('releases as r', 'r.id', 's.release_id')
    .innerJoin('products as p', 'p.id', 's.product_id')
    .innerJoin('artifacts as a', 'a.id', 's.artifact_id')
    .select([
      's.id as sbom_id',
      's.created_at',
      'p.name as product',
      'r.version',
      'r.commit_sha',
      'a.digest',
    ])
    .where('s.team_id', '=', teamId)
    .where((eb) => {
      const any = [];
      if (commit !== undefined)
        any.push(eb(eb.fn('lower', ['r.commit_sha']), '=', commit.toLowerCase()));
      if (digest !== undefined)
        any.push(eb(eb.fn('lower', ['a.digest']), '=', digest.toLowerCase()));
      if (product && versions?.length)
        any.push(eb.and([eb('p.name', '=', product), eb('r.version', 'in', [...versions])]));
      return eb.or(any);
    })
    .orderBy('s.id')
    .limit(limit)
    .execute();
}

export interface EventFilter {
  /** undefined: every team. */
  teamIds?: readonly number[] | undefined;
  kind?: string | undefined;
  product?: string | undefined;
  source?: string | undefined;
  since?: string | undefined;
  /** Ids below this (the cursor). */
  before?: number | undefined;
  /** Only events with an action not done (pending or failed) whose deadline is before this. */
  overdueAt?: string | undefined;
  limit: number;
}

/** Newest first, one more than `limit` (so the caller knows there is a next page). */
export async function listEventRows(q: Q, f: EventFilter): Promise<TriggerEventRow[]> {
  if (f.teamIds !== undefined && f.teamIds.length === 0) return [];
  let s = events(q);
  if (f.teamIds !== undefined) s = s.where('e.team_id', 'in', f.teamIds);
  if (f.kind !== undefined) s = s.where('e.kind', '=', f.kind);
  if (f.product !== undefined) s = s.where('e.product', '=', f.product);
  if (f.source !== undefined) s = s.where('e.source', '=', f.source);
  if (f.since !== undefined) s = s.where('e.received_at', '>=', f.since);
  if (f.before !== undefined) s = s.where('e.id', '<', f.before);
  const overdueAt = f.overdueAt;
  if (overdueAt !== undefined) {
    s = s.where((eb) =>
      eb.exists(
        eb
          .selectFrom('trigger_actions as a')
          .select('a.id')
          .whereRef('a.event_id', '=', 'e.id')
          .where('a.state', 'in', ['pending', 'failed'])
          .where('a.deadline', 'is not', null)
          .where('a.deadline', '<', overdueAt),
      ),
    );
  }
  return s
    .orderBy('e.id', 'desc')
    .limit(f.limit + 1)
    .execute();
}

export async function setEventOverrides(q: Q, id: number, overrides: string): Promise<void> {
  await q.updateTable('trigger_events').set({ overrides }).where('id', '=', id).execute();
}

/** Replace a team's webhooks of one direction (`out`: notifications; `in`: inbound secret). */
export async function replaceTeamWebhooks(
  q: Q,
  teamId: number,
  direction: 'in' | 'out',
  rows: readonly { url: string | null; secret: string }[],
  at: string,
): Promise<void> {
  await q
    .deleteFrom('team_webhooks')
    .where('team_id', '=', teamId)
    .where('direction', '=', direction)
    .execute();
  for (const r of rows) {
    await q
      .insertInto('team_webhooks')
      .values({ team_id: teamId, direction, url: r.url, secret: r.secret, created_at: at })
      .execute();
  }
}

export async function teamWebhooks(
  q: Q,
  teamId: number,
  direction: 'in' | 'out',
): Promise<TeamWebhookRow[]> {
  return q
    .selectFrom('team_webhooks')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('direction', '=', direction)
    .orderBy('id')
    .execute();
}

export async function findTeamWebhook(q: Q, id: number): Promise<TeamWebhookRow | undefined> {
  return q.selectFrom('team_webhooks').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A team's stored SLA overrides (JSON), or undefined when it keeps the defaults. */
export async function findTeamSla(q: Q, teamId: number): Promise<string | undefined> {
  const r = await q
    .selectFrom('team_slas')
    .select('body')
    .where('team_id', '=', teamId)
    .executeTakeFirst();
  return r?.body;
}

/** Replace a team's SLA overrides; an empty table removes the row (back to the defaults). */
export async function putTeamSla(
  q: Q,
  teamId: number,
  body: string | null,
  at: string,
  by: string,
): Promise<void> {
  await q.deleteFrom('team_slas').where('team_id', '=', teamId).execute();
  if (body !== null)
    await q
      .insertInto('team_slas')
      .values({ team_id: teamId, body, updated_at: at, updated_by: by })
      .execute();
}

export interface DueAlertRow {
  id: number;
  event_id: number;
  team_id: number;
  target: string;
  action: string;
  deadline: string | null;
  alert_at: string | null;
  /** `early` (its alert time passed) or `overdue` (its deadline passed). */
  kind: 'early' | 'overdue';
}

/**
 * Open actions (pending or failed) whose alert time or deadline has passed at `now` and whose
 * team has not been told yet: an overdue one is only `overdue` (the early alert is moot by then).
 */
export async function dueAlerts(q: Q, now: string, limit = 1000): Promise<DueAlertRow[]> {
  const cols = ['id', 'event_id', 'team_id', 'target', 'action', 'deadline', 'alert_at'] as const;
  const overdue = await q
    .selectFrom('trigger_actions')
    .select(cols)
    .where('state', 'in', ['pending', 'failed'])
    .where('deadline', '<', now)
    .where('overdue_alerted_at', 'is', null)
    .orderBy('id')
    .limit(limit)
    .execute();
  const early = await q
    .selectFrom('trigger_actions')
    .select(cols)
    .where('state', 'in', ['pending', 'failed'])
    .where('alert_at', '<=', now)
    .where((eb) => eb.or([eb('deadline', 'is', null), eb('deadline', '>=', now)]))
    .where('alerted_at', 'is', null)
    .orderBy('id')
    .limit(limit)
    .execute();
  return [
    ...overdue.map((r) => ({ ...r, kind: 'overdue' as const })),
    ...early.map((r) => ({ ...r, kind: 'early' as const })),
  ];
}

/** Record that the team was told; false when another replica recorded it first. */
export async function markAlerted(
  q: Q,
  id: number,
  kind: 'early' | 'overdue',
  at: string,
): Promise<boolean> {
  const column = kind === 'early' ? 'alerted_at' : 'overdue_alerted_at';
  const r = await q
    .updateTable('trigger_actions')
    .set({ [column]: at })
    .where('id', '=', id)
    .where(column, 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export interface OpenVexActionRow {
  action_id: number;
  event_id: number;
  action: string;
  payload: string;
  received_at: string;
}

/** The open (pending or failed) `vex` actions of a team's events about one product. */
export async function openVexActions(
  q: Q,
  teamId: number,
  product: string,
): Promise<OpenVexActionRow[]> {
  return q
    .selectFrom('trigger_actions as a')
    .innerJoin('trigger_events as e', 'e.id', 'a.event_id')
    .select(['a.id as action_id', 'e.id as event_id', 'a.action', 'e.payload', 'e.received_at'])
    .where('a.team_id', '=', teamId)
    .where('e.product', '=', product)
    .where('a.target', '=', 'vex')
    .where('a.state', 'in', ['pending', 'failed'])
    .orderBy('a.id')
    .execute();
}
