import type { Caller } from '../../access/index.js';
import type { Q } from '../../store/db.js';
import { moveAction, openVexActions } from '../../store/trigger-events.js';
import { audit } from '../audit-trail.js';
import type { IntakeEvent } from './ports.js';

/** A statement of the published document, as far as the actions it meets care. */
export interface PublishedStatement {
  /** The vulnerability id and its aliases. */
  names: readonly string[];
  /** When the statement last changed (RFC 3339). */
  updatedAt: string;
}

/**
 * A VEX publication is what the `vex` actions of trigger events ask for (seed 001's VEX
 * publication and update tables: "publish under_investigation", "update status", "add
 * mitigation", …), so publishing meets the product's open ones, in the publication's own
 * transaction: an action about a vulnerability when the document states it — for the first
 * draft any statement will do (the matcher drafts it before it raises the event), for any other
 * action the statement must have changed since the event; an action about no vulnerability (a
 * release's review of the existing statements) by any publication after its event.
 */
export async function meetVexActionsByPublication(
  trx: Q,
  caller: Caller,
  product: { team_id: number; team: string; name: string },
  statements: readonly PublishedStatement[],
  at: string,
): Promise<number> {
  let met = 0;
  for (const a of await openVexActions(trx, product.team_id, product.name)) {
    if (a.received_at > at) continue;
    const vulnerability = vulnerabilityOf(a.payload);
    const by =
      vulnerability === undefined
        ? 'publication'
        : statements.find(
            (st) =>
              st.names.some((n) => n.toUpperCase() === vulnerability) &&
              (a.action === 'draft-under-investigation' || st.updatedAt >= a.received_at),
          );
    if (by === undefined) continue;
    const moved = await moveAction(trx, a.action_id, ['pending', 'failed'], {
      state: 'done',
      done_at: at,
      error: null,
    });
    if (!moved) continue;
    met++;
    await audit(
      trx,
      caller,
      {
        action: 'event.vex-published',
        target: `event:${a.event_id}`,
        team: product.team,
        details: {
          action: a.action_id,
          product: product.name,
          vulnerability: vulnerability ?? null,
        },
      },
      at,
    );
  }
  return met;
}

function vulnerabilityOf(payload: string): string | undefined {
  const stored = JSON.parse(payload) as IntakeEvent;
  const event = (stored.details?.['event'] ?? stored.details ?? {}) as Record<string, unknown>;
  const v = event['vulnerability'] ?? event['cve'];
  return typeof v === 'string' && v !== '' ? v.toUpperCase() : undefined;
}
