import { type Caller, inScope, requirePermission } from '../../access/index.js';
import { decodeCursor, encodeCursor } from '../../inventory/index.js';
import { findProduct, findTeam, teamIds } from '../../store/catalogue.js';
import {
  actionsOf,
  findEvent,
  findEventByKey,
  insertAction,
  insertEvent,
  listEventRows,
  type TriggerActionRow,
  type TriggerEventRow,
} from '../../store/trigger-events.js';
import { audit } from '../audit-trail.js';
import { notFound } from '../inventory/team-scope.js';
import type { Page } from '../inventory/views.js';
import { recheckCaller } from '../recheck-caller.js';
import { TriggerIntakeError } from './errors.js';
import { meetObligationsWithStoredSboms } from './obligations.js';
import type { IntakeEvent, TriggerDecision } from './ports.js';
import { idempotencyKey, type TriggerRuntime } from './runtime.js';

export type EventSource = 'api' | 'github' | 'gitlab' | 'poller' | 'matcher';

export interface EventView {
  id: number;
  source: string;
  kind: string;
  team: string;
  product: string | null;
  context: string | null;
  event: unknown;
  decision: unknown;
  receivedAt: string;
  receivedBy: string;
  overrides: unknown[];
  actions: ActionView[];
}

export interface ActionView {
  id: number;
  target: string;
  action: string;
  automation: string;
  deadline: string | null;
  /** When the team is alerted if the work is still open (before the deadline); null: none. */
  alertAt: string | null;
  state: string;
  origin: string;
  doneAt: string | null;
  /** Done after its deadline (an SBOM obligation met late, by a push after the deadline). */
  late: boolean;
  error: string | null;
}

/**
 * Take one event: store it with the engine's decision (no-action decisions too) and its actions,
 * in one transaction with its audit entry; then enqueue the actions and notify the team. The same
 * event again (same delivery id, or the same content without one) is not acted on twice: the
 * first record comes back with `created: false`.
 * @throws TriggerIntakeError EVENT_INVALID; InventoryError INVENTORY_NOT_FOUND (a team the caller
 *   cannot see); AccessError AUTH_FORBIDDEN; the engine's own coded errors
 */
export async function receiveEvent(
  rt: TriggerRuntime,
  caller: Caller,
  source: EventSource,
  event: IntakeEvent,
): Promise<{ event: EventView; created: boolean }> {
  const s = rt.s;
  requirePermission(caller.principal, 'inventory:write');
  const key = idempotencyKey(source, event);
  const known = await findEventByKey(s.db.kysely, key);
  if (known) return { event: await viewOf(rt, known, caller), created: false };
  const team = await owningTeam(rt, caller, event);
  const now = s.clock();
  const decision = rt.engine.decide(event, now, await rt.sla(team.name));
  checkDecision(decision);
  const at = now.toISOString();
  const r = await s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, at);
    const id = await insertEvent(trx, {
      idempotency_key: key,
      source,
      kind: event.kind,
      team_id: team.id,
      product: event.product ?? null,
      payload: JSON.stringify(event),
      context: event.context ?? null,
      decision: JSON.stringify(decision),
      received_at: at,
      received_by: caller.principal.actor,
    });
    if (id === undefined) return undefined; // its twin committed first
    const actions: { id: number; target: string }[] = [];
    for (const a of decision.actions) {
      actions.push({
        target: a.target,
        id: await insertAction(trx, {
          event_id: id,
          team_id: team.id,
          target: a.target,
          action: a.action,
          automation: a.automation,
          deadline: a.deadline ?? null,
          alert_at: a.alertAt ?? null,
          state: 'pending',
          origin: 'decision',
          created_at: at,
          done_at: null,
          error: null,
        }),
      });
    }
    await audit(
      trx,
      caller,
      {
        action: 'event.receive',
        target: `event:${id}`,
        team: team.name,
        details: {
          source,
          kind: event.kind,
          product: event.product ?? null,
          actions: decision.actions.map((a) => `${a.target}:${a.action}`),
        },
      },
      at,
    );
    return { id, actions };
  });
  if (!r) {
    const twin = await findEventByKey(s.db.kysely, key);
    if (!twin) throw new Error(`event ${key} vanished`);
    return { event: await viewOf(rt, twin, caller), created: false };
  }
  rt.metrics?.received(event.kind, source);
  for (const a of decision.actions) rt.metrics?.decided(a.target, a.action);
  if (decision.actions.length === 0) rt.metrics?.decided('none', 'none');
  // Best effort, like a push meeting it: should this fail, the action stays pending until a push.
  if (r.actions.some((a) => a.target === 'sbom')) {
    const met = await meetObligationsWithStoredSboms(s, caller, team, r.id, at).catch(() => []);
    for (const m of met) rt.metrics?.actionDone('sbom', m.seconds);
  }
  for (const a of r.actions) await rt.enqueueAction(a.id, a.target);
  const view = await getEvent(rt, caller, r.id);
  if (decision.actions.length > 0) {
    await rt.notifyTeam(team.id, 'trigger.decision', `event:${r.id}`, { event: view });
  }
  return { event: view, created: true };
}

/** One event with its actions. @throws InventoryError INVENTORY_NOT_FOUND (also for other teams') */
export async function getEvent(rt: TriggerRuntime, caller: Caller, id: number): Promise<EventView> {
  requirePermission(caller.principal, 'inventory:read');
  const row = await findEvent(rt.s.db.kysely, id);
  if (!row || !inScope(caller.principal, row.team)) throw notFound(`event ${id}`);
  return viewOf(rt, row, caller);
}

export interface EventQuery {
  kind?: string | undefined;
  product?: string | undefined;
  source?: string | undefined;
  since?: string | undefined;
  /** Only events with an overdue action: not done (pending or failed) and past its deadline. */
  overdue?: boolean | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** Events in the caller's teams, newest first. */
export async function listEvents(
  rt: TriggerRuntime,
  caller: Caller,
  q: EventQuery,
): Promise<Page<EventView>> {
  requirePermission(caller.principal, 'inventory:read');
  const db = rt.s.db.read;
  const limit = q.limit ?? 100;
  const teams = caller.principal.teams;
  const rows = await listEventRows(db, {
    teamIds: teams === undefined ? undefined : await teamIds(db, teams),
    kind: q.kind,
    product: q.product,
    source: q.source,
    since: q.since,
    before: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
    overdueAt: q.overdue === true ? rt.s.clock().toISOString() : undefined,
    limit,
  });
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const actions = await actionsOf(
    db,
    page.map((r) => r.id),
  );
  return {
    items: page.map((r) =>
      toView(
        r,
        actions.filter((a) => a.event_id === r.id),
      ),
    ),
    nextCursor: more ? encodeCursor((page[page.length - 1] as TriggerEventRow).id) : null,
  };
}

async function viewOf(rt: TriggerRuntime, row: TriggerEventRow, caller: Caller) {
  if (!inScope(caller.principal, row.team)) throw notFound(`event ${row.id}`);
  return toView(row, await actionsOf(rt.s.db.kysely, [row.id]));
}

export function toView(r: TriggerEventRow, actions: readonly TriggerActionRow[]): EventView {
  return {
    id: r.id,
    source: r.source,
    kind: r.kind,
    team: r.team,
    product: r.product,
    context: r.context,
    event: JSON.parse(r.payload) as unknown,
    decision: JSON.parse(r.decision) as unknown,
    receivedAt: r.received_at,
    receivedBy: r.received_by,
    overrides: JSON.parse(r.overrides) as unknown[],
    actions: actions.map((a) => ({
      id: a.id,
      target: a.target,
      action: a.action,
      automation: a.automation,
      deadline: a.deadline,
      alertAt: a.alert_at,
      state: a.state,
      origin: a.origin,
      doneAt: a.done_at,
      late:
        a.done_at !== null && a.deadline !== null && Date.parse(a.done_at) > Date.parse(a.deadline),
      error: a.error,
    })),
  };
}

/**
 * The team an event belongs to: its product's team, else the team it names, else the caller's
 * only team. A team outside the caller's scope is "not found", as everywhere.
 */
async function owningTeam(
  rt: TriggerRuntime,
  caller: Caller,
  e: IntakeEvent,
): Promise<{ id: number; name: string }> {
  const db = rt.s.db.kysely;
  const product = e.product === undefined ? undefined : await findProduct(db, e.product);
  if (product && inScope(caller.principal, product.team)) {
    if (e.team !== undefined && e.team !== product.team) {
      throw new TriggerIntakeError(
        'EVENT_INVALID',
        `product ${e.product} belongs to team ${product.team}, not ${e.team}; leave out team or fix it`,
      );
    }
    return { id: product.team_id, name: product.team };
  }
  const teams = caller.principal.teams;
  const name = e.team ?? (teams?.length === 1 ? teams[0] : undefined);
  if (name === undefined) {
    throw new TriggerIntakeError(
      'EVENT_INVALID',
      `The event names no team and its product (${e.product ?? 'none'}) is not known here; add "team"`,
    );
  }
  const team = inScope(caller.principal, name) ? await findTeam(db, name) : undefined;
  if (!team) throw notFound(`team ${name}`);
  return { id: team.id, name: team.name };
}

/** The engine is code, but another engineer's: a decision the runtime cannot hold is a bug there. */
function checkDecision(d: TriggerDecision): void {
  if (!Array.isArray(d.actions)) throw new TypeError('decision.actions must be an array');
  for (const a of d.actions) {
    if (typeof a.target !== 'string' || typeof a.action !== 'string') {
      throw new TypeError('every decided action needs a target and an action');
    }
    if (!['full', 'semi', 'manual'].includes(a.automation)) {
      throw new TypeError(`automation ${String(a.automation)} is not full, semi or manual`);
    }
  }
}
