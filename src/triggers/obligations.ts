import type { TriggerDecision } from './decide.js';
import type { TriggerEvent } from './events.js';

/**
 * SBOM obligations. The service has no source tree, so it cannot generate a release's SBOM
 * itself: a release or lockfile event creates an obligation ("an SBOM for commit X / digest Y by
 * deadline D") that a later push of an SBOM for that commit or digest meets.
 */
export interface SbomObligation {
  /** The id of the event that created it (eventId). */
  eventId: string;
  rule: TriggerDecision['rule'];
  product?: string;
  version?: string;
  commit?: string;
  digest?: string;
  /** RFC 3339: when the event happened, and when the SBOM is due. */
  createdAt: string;
  due: string;
}

/** An SBOM pushed to the service, as far as obligations care. */
export interface SbomPush {
  at: string;
  product?: string;
  version?: string;
  commit?: string;
  digest?: string;
  /** The pushed SBOM's id, to show which push met the obligation. */
  sbomId?: string;
}

/**
 * The obligation a decision creates, or null when it creates none (no SBOM to generate, no
 * deadline, or nothing that a push could be matched by: no commit, digest or product version).
 */
export function obligationFor(
  eventId: string,
  event: TriggerEvent,
  decision: TriggerDecision,
): SbomObligation | null {
  if (!decision.sbom.obligation || decision.deadline === null) return null;
  const version = event.kind === 'release' ? event.version : undefined;
  const product = event.product;
  if (event.commit === undefined && event.digest === undefined && !(product && version))
    return null;
  const o: SbomObligation = {
    eventId,
    rule: decision.rule,
    createdAt: new Date(Date.parse(event.at)).toISOString(),
    due: decision.deadline.due,
  };
  if (product !== undefined) o.product = product;
  if (version !== undefined) o.version = version;
  if (event.commit !== undefined) o.commit = event.commit;
  if (event.digest !== undefined) o.digest = event.digest;
  return o;
}

export interface MetObligation {
  obligation: SbomObligation;
  push: SbomPush;
  /** The push came after the deadline. */
  late: boolean;
}

export interface ObligationReport {
  met: MetObligation[];
  /** Not met, not yet due. */
  open: SbomObligation[];
  /** Not met and past due: each one is an alert. */
  overdue: SbomObligation[];
}

/**
 * Which obligations the pushes meet, which are still open and which are overdue at `now`. A push
 * meets an obligation when it names the same commit (full SHA, case-insensitive), the same
 * digest, or the same product and version (a leading `v` aside); the earliest such push counts.
 * A push made before the event (CI pushed, then tagged) meets it too: the SBOM exists. Except
 * for a rebuild by product and version: the version's earlier SBOM describes the build before,
 * so only a push at or after the rebuild meets it (a push of the rebuild's digest or commit
 * meets it whenever it came).
 */
export function evaluateObligations(
  obligations: readonly SbomObligation[],
  pushes: readonly SbomPush[],
  now: string,
): ObligationReport {
  const nowMs = Date.parse(now);
  const sorted = [...pushes].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const report: ObligationReport = { met: [], open: [], overdue: [] };
  for (const o of obligations) {
    const push = sorted.find((p) => meets(p, o) && Date.parse(p.at) <= nowMs);
    if (push !== undefined)
      report.met.push({ obligation: o, push, late: Date.parse(push.at) > Date.parse(o.due) });
    else if (nowMs > Date.parse(o.due)) report.overdue.push(o);
    else report.open.push(o);
  }
  return report;
}

function meets(p: SbomPush, o: SbomObligation): boolean {
  if (o.commit !== undefined && p.commit !== undefined && same(o.commit, p.commit)) return true;
  if (o.digest !== undefined && p.digest !== undefined && same(o.digest, p.digest)) return true;
  if (o.rule === 'rebuild' && Date.parse(p.at) < Date.parse(o.createdAt)) return false;
  return (
    o.product !== undefined &&
    o.version !== undefined &&
    p.product === o.product &&
    p.version !== undefined &&
    p.version.replace(/^v/, '') === o.version.replace(/^v/, '')
  );
}

// Hex is compared without regard to case.
function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
