import type { Caller } from '../../access/index.js';
import { moveAction, pendingSbomActions } from '../../store/trigger-events.js';
import {
  evaluateObligations,
  obligationFor,
  type SbomObligation,
  type SbomPush,
  type TriggerDecision as SeedDecision,
  type TriggerEvent,
} from '../../triggers/index.js';
import { audit } from '../audit-trail.js';
import type { Services } from '../services.js';
import type { IntakeEvent } from './ports.js';

/** An SBOM just committed, as far as the obligations it may meet care. */
export interface PushedSbom {
  sbomId: number;
  team: { id: number; name: string };
  product: string;
  /** The release version it was pushed under. */
  version: string;
  commit?: string | undefined;
  /** `sha256:<hex>` of the artifact it describes. */
  digest?: string | undefined;
  /** When it was stored. */
  at: string;
}

export interface MetAction {
  actionId: number;
  eventId: number;
  late: boolean;
}

/**
 * Who generates: the service has no source tree, so a release or lockfile event leaves a pending
 * `sbom` action, an obligation "an SBOM for this commit, digest or product version by the
 * deadline". A push that matches it (triggers/ `evaluateObligations`: same commit, digest, or
 * product and version) marks it done at the push's time, so an action done after its deadline is
 * one met late. Runs after the ingest committed; each action moves once (pending → done), so a
 * concurrent second push meets nothing twice. Actions whose event the seed-001 engine did not
 * decide (no stored TriggerEvent) are left to their executor or a person.
 */
export async function meetSbomObligations(
  s: Services,
  caller: Caller,
  push: PushedSbom,
): Promise<MetAction[]> {
  const rows = await pendingSbomActions(s.db.kysely, push.team.id);
  const byEvent = new Map<string, { actionId: number; eventId: number }>();
  const obligations: SbomObligation[] = [];
  for (const r of rows) {
    const o = obligationOf(r.event_id, r.payload, r.decision);
    if (o === null) continue;
    const key = `${r.action_id}`;
    obligations.push({ ...o, eventId: key, ...(r.deadline !== null ? { due: r.deadline } : {}) });
    byEvent.set(key, { actionId: r.action_id, eventId: r.event_id });
  }
  if (obligations.length === 0) return [];
  const p: SbomPush = {
    at: push.at,
    product: push.product,
    version: push.version,
    sbomId: String(push.sbomId),
    ...(push.commit !== undefined ? { commit: push.commit } : {}),
    ...(push.digest !== undefined ? { digest: push.digest } : {}),
  };
  const report = evaluateObligations(obligations, [p], push.at);
  const met: MetAction[] = [];
  for (const m of report.met) {
    const ids = byEvent.get(m.obligation.eventId);
    if (!ids) continue;
    const moved = await s.db.kysely.transaction().execute(async (trx) => {
      const ok = await moveAction(trx, ids.actionId, ['pending'], {
        state: 'done',
        done_at: push.at,
        error: null,
      });
      if (!ok) return false;
      await audit(
        trx,
        caller,
        {
          action: 'event.obligation-met',
          target: `event:${ids.eventId}`,
          team: push.team.name,
          details: {
            action: ids.actionId,
            sbom: push.sbomId,
            product: push.product,
            version: push.version,
            due: m.obligation.due,
            late: m.late,
          },
        },
        push.at,
      );
      return true;
    });
    if (moved) met.push({ ...ids, late: m.late });
  }
  return met;
}

/** The obligation a stored event and decision make, or null (not seed 001's, or none). */
function obligationOf(eventId: number, payload: string, decision: string): SbomObligation | null {
  const stored = JSON.parse(payload) as IntakeEvent;
  const event = stored.details?.['event'] as TriggerEvent | undefined;
  const d = JSON.parse(decision) as Partial<SeedDecision>;
  if (event === undefined || typeof event !== 'object' || d.sbom === undefined) return null;
  if (d.deadline === undefined) return null;
  return obligationFor(String(eventId), event, d as SeedDecision);
}
