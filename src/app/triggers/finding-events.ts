import type { Caller } from '../../access/index.js';
import type { OpenedFindingGroup } from '../../store/vuln-findings.js';
import { receiveEvent } from './intake.js';
import type { TriggerRuntime } from './runtime.js';

/** The matcher reports as the system, organisation-wide. */
const MATCHER: Caller = {
  principal: { actor: 'system', person: 'system', role: 'publisher', teams: undefined },
  source: 'matcher',
};

/**
 * Seed 001's "CVE published affecting your components", raised by the matcher itself: one
 * `cve-published` event per team, product and advisory with newly opened findings, so that the
 * owning team gets the decision (draft under_investigation within its `cveDraft` deadline), the
 * deadline's alert and its notification webhook: the ticket to the owner. Keyed by product and
 * advisory, so an advisory is reported to a product once (a finding that closes and reopens is
 * not news); the releases it affects go with it.
 */
export async function reportOpenedFindings(
  rt: TriggerRuntime,
  groups: readonly OpenedFindingGroup[],
): Promise<void> {
  for (const g of groups) {
    const event = rt.engine.fromJson({
      kind: 'cve-published',
      at: g.opened_at,
      product: g.product,
      team: g.team,
      source: 'matcher',
      vulnerability: g.advisory_id,
      affectedVersions: g.versions.split(',').filter((v) => v !== ''),
      context: `${g.advisory_id} affects ${g.product} ${g.versions}`,
    });
    await receiveEvent(rt, MATCHER, 'matcher', {
      ...event,
      deliveryId: `finding:${g.team}:${g.product}:${g.advisory_id}`,
    });
  }
}
