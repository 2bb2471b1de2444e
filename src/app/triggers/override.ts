import { type Caller, inScope, requirePermission } from '../../access/index.js';
import {
  actionsOf,
  findEvent,
  insertAction,
  moveAction,
  setEventOverrides,
} from '../../store/trigger-events.js';
import { audit } from '../audit-trail.js';
import { notFound } from '../inventory/team-scope.js';
import { recheckCaller } from '../recheck-caller.js';
import { TriggerIntakeError } from './errors.js';
import { type EventView, getEvent } from './intake.js';
import type { TriggerRuntime } from './runtime.js';

export interface OverrideInput {
  /** The artifact whose action is overridden: `sbom`, `vex`, or another target the engine uses. */
  target: string;
  /** `skip`: do not run the pending action(s); `force`: run one the decision did not ask for. */
  mode: 'force' | 'skip';
  reason: string;
  /** For `force`: what to do (default `forced`). */
  action?: string | undefined;
}

/**
 * Force or skip an event's action, with a reason, recorded on the event and in the audit trail.
 * Who may: an action on a VEX is a judgment about a vulnerability, so an approver's
 * (`decision:write`); any other (an SBOM obligation, docs, metadata) is operational work of the
 * team's publishers (`inventory:write`, which admins hold too). Both within the event's team.
 * @throws TriggerIntakeError EVENT_INVALID (no reason), EVENT_OVERRIDE_CONFLICT (nothing to skip;
 *   an action of that target is already pending or done); InventoryError INVENTORY_NOT_FOUND;
 *   AccessError AUTH_FORBIDDEN
 */
export async function overrideEvent(
  rt: TriggerRuntime,
  caller: Caller,
  id: number,
  o: OverrideInput,
): Promise<EventView> {
  requirePermission(caller.principal, o.target === 'vex' ? 'decision:write' : 'inventory:write');
  const reason = o.reason.trim();
  if (reason === '') {
    throw new TriggerIntakeError('EVENT_INVALID', 'An override needs a reason; say why');
  }
  const s = rt.s;
  const at = s.clock().toISOString();
  const forced = await s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, at);
    const ev = await findEvent(trx, id);
    if (!ev || !inScope(caller.principal, ev.team)) throw notFound(`event ${id}`);
    const mine = (await actionsOf(trx, [id])).filter((a) => a.target === o.target);
    const touched: number[] = [];
    let forcedId: number | undefined;
    if (o.mode === 'skip') {
      for (const a of mine.filter((x) => x.state === 'pending')) {
        if (await moveAction(trx, a.id, ['pending'], { state: 'skipped', done_at: at })) {
          touched.push(a.id);
        }
      }
      if (touched.length === 0) {
        throw new TriggerIntakeError(
          'EVENT_OVERRIDE_CONFLICT',
          `Event ${id} has no pending ${o.target} action to skip`,
          { details: { actions: mine.map((a) => ({ id: a.id, state: a.state })) } },
        );
      }
    } else {
      const live = mine.find((a) => a.state === 'pending' || a.state === 'done');
      if (live) {
        throw new TriggerIntakeError(
          'EVENT_OVERRIDE_CONFLICT',
          `Event ${id} already has a ${live.state} ${o.target} action (${live.id}); nothing to force`,
        );
      }
      forcedId = await insertAction(trx, {
        event_id: id,
        team_id: ev.team_id,
        target: o.target,
        action: o.action ?? 'forced',
        automation: 'manual',
        deadline: null,
        state: 'pending',
        origin: 'override',
        created_at: at,
        done_at: null,
        error: null,
      });
      touched.push(forcedId);
    }
    const record = {
      target: o.target,
      mode: o.mode,
      reason,
      actions: touched,
      actor: caller.principal.actor,
      person: caller.principal.person,
      at,
    };
    const overrides = [...(JSON.parse(ev.overrides) as unknown[]), record];
    await setEventOverrides(trx, id, JSON.stringify(overrides));
    await audit(
      trx,
      caller,
      { action: `event.${o.mode}`, target: `event:${id}`, team: ev.team, details: record },
      at,
    );
    return forcedId;
  });
  if (forced !== undefined) await rt.enqueueAction(forced, o.target);
  return getEvent(rt, caller, id);
}
