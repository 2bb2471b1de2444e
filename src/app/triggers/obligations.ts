import type { Caller } from '../../access/index.js';
import { moveAction, pendingSbomActions, storedSbomPushes } from '../../store/trigger-events.js';
import {
  evaluateObligations,
  type MetObligation,
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
  /** From the event being received to the obligation being met (0 when the SBOM came first). */
  seconds: number;
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
  const byEvent = new Map<string, { actionId: number; eventId: number; receivedAt: string }>();
  const obligations: SbomObligation[] = [];
  for (const r of rows) {
    const o = obligationOf(r.event_id, r.payload, r.decision);
    if (o === null) continue;
    const key = `${r.action_id}`;
    obligations.push({ ...o, eventId: key, ...(r.deadline !== null ? { due: r.deadline } : {}) });
    byEvent.set(key, { actionId: r.action_id, eventId: r.event_id, receivedAt: r.received_at });
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
    const details = { sbom: push.sbomId, product: push.product, version: push.version };
    if (await markMet(s, caller, push.team.name, ids, push.at, m, details)) {
      const seconds = Math.max(0, (Date.parse(push.at) - Date.parse(ids.receivedAt)) / 1000);
      met.push({ actionId: ids.actionId, eventId: ids.eventId, late: m.late, seconds });
    }
  }
  return met;
}

/**
 * CI often pushes the SBOM before the tag or release webhook arrives: an event's obligation that
 * an SBOM stored earlier already meets (same commit, digest, or product version; not the old SBOM
 * of a rebuilt version) is done the moment the event is received. Runs after the event committed.
 */
export async function meetObligationsWithStoredSboms(
  s: Services,
  caller: Caller,
  team: { id: number; name: string },
  eventId: number,
  receivedAt: string,
): Promise<MetAction[]> {
  const met: MetAction[] = [];
  for (const r of await pendingSbomActions(s.db.kysely, team.id, eventId)) {
    const o = obligationOf(r.event_id, r.payload, r.decision);
    if (o === null) continue;
    const versions =
      o.version === undefined
        ? []
        : [...new Set([o.version, o.version.replace(/^v/, ''), `v${o.version.replace(/^v/, '')}`])];
    const rows = await storedSbomPushes(s.db.read, team.id, {
      ...(o.commit !== undefined ? { commit: o.commit } : {}),
      ...(o.digest !== undefined ? { digest: o.digest } : {}),
      ...(o.product !== undefined ? { product: o.product, versions } : {}),
    });
    const pushes: SbomPush[] = rows.map((p) => ({
      at: p.created_at,
      product: p.product,
      version: p.version,
      digest: p.digest,
      sbomId: String(p.sbom_id),
      ...(p.commit_sha !== null ? { commit: p.commit_sha } : {}),
    }));
    const m = evaluateObligations([{ ...o, due: r.deadline ?? o.due }], pushes, receivedAt).met[0];
    if (m === undefined) continue;
    const ids = { actionId: r.action_id, eventId: r.event_id };
    const details = {
      sbom: Number(m.push.sbomId),
      product: m.push.product,
      version: m.push.version,
      pushedBefore: true,
    };
    // Met when the event arrived (the SBOM was there already), so never late.
    const onTime = { ...m, late: false };
    if (await markMet(s, caller, team.name, ids, receivedAt, onTime, details))
      met.push({ ...ids, late: false, seconds: 0 });
  }
  return met;
}

/** pending → done with its audit entry; false when it was no longer pending (met already). */
async function markMet(
  s: Services,
  caller: Caller,
  team: string,
  ids: { actionId: number; eventId: number },
  at: string,
  m: MetObligation,
  details: Record<string, unknown>,
): Promise<boolean> {
  return s.db.kysely.transaction().execute(async (trx) => {
    const ok = await moveAction(trx, ids.actionId, ['pending'], {
      state: 'done',
      done_at: at,
      error: null,
    });
    if (!ok) return false;
    await audit(
      trx,
      caller,
      {
        action: 'event.obligation-met',
        target: `event:${ids.eventId}`,
        team,
        details: { action: ids.actionId, ...details, due: m.obligation.due, late: m.late },
      },
      at,
    );
    return true;
  });
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
