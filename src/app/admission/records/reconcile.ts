import type { ImageVerdict, NamespaceConfig } from '../../../admission/types.js';
import {
  type DecisionImageRow,
  type DecisionRow,
  pendingDegraded,
  recordReconciliation,
} from '../../../store/admission-decisions.js';
import type { Services } from '../../services.js';

/**
 * What reconciliation needs of the image checks: `ImageChecker.check`, and a way to bypass its
 * caches. A checker that ignores `fresh` still works: a verdict that leans on cached or stand-in
 * material (`degraded` set) or on an infrastructure failure is never taken as a confirmation,
 * so at worst a decision stays pending until a fresh check is possible.
 */
export interface ReconcileChecker {
  check(
    image: string,
    ns: NamespaceConfig,
    at: Date,
    o?: { fresh?: boolean },
  ): Promise<ImageVerdict>;
}

/** The namespace's configuration now (AdmissionGovernance.namespaceConfig). */
export type NamespaceConfigOf = (
  cluster: string | undefined,
  namespace: string,
) => Promise<NamespaceConfig>;

export type ReconcileResult = 'confirmed' | 'overturned' | 'still-failing';

/** What one run did. */
export interface ReconcileRun {
  at: string;
  /** Degraded decisions looked at. */
  checked: number;
  confirmed: number;
  overturned: number;
  stillFailing: number;
  /** Decisions another replica reconciled first. */
  skipped: number;
  /** More were pending than one run takes: run again. */
  more: boolean;
}

/** One image's fresh check, as the reconciliation's detail keeps it. */
interface ImageRecheck {
  image: string;
  digest: string | null;
  result: ReconcileResult;
  outcome?: string;
  reason?: string;
  message: string;
}

/** Degraded decisions taken per run (oldest first). */
const PER_RUN = 200;

/**
 * Re-verify every degraded decision not yet reconciled: each of its degraded images is checked
 * again, fresh, against the namespace's configuration, and the decision is recorded
 * - `confirmed`: every image passes now;
 * - `overturned`: an image fails a policy condition now (its reason recorded): the decision
 *   would have been different had the upstream been up;
 * - `still-failing`: an upstream is still down (or the check leaned on cached material again):
 *   the decision stays pending and the next run tries again.
 * A confirmed or overturned decision records the time from decision to reconciliation. Checks of
 * one image for one namespace are made once per run, however many decisions name it.
 */
export async function reconcileDegraded(
  s: Services,
  checker: ReconcileChecker,
  governanceNs: NamespaceConfigOf,
  at: Date,
  o: { limit?: number } = {},
): Promise<ReconcileRun> {
  const limit = o.limit ?? PER_RUN;
  const pending = await pendingDegraded(s.db.kysely, limit + 1);
  const run: ReconcileRun = {
    at: at.toISOString(),
    checked: 0,
    confirmed: 0,
    overturned: 0,
    stillFailing: 0,
    skipped: 0,
    more: pending.length > limit,
  };
  const configs = new Map<string, Promise<NamespaceConfig>>();
  const checks = new Map<string, Promise<ImageRecheck>>();
  for (const { decision, images } of pending.slice(0, limit)) {
    run.checked += 1;
    const rechecks = await recheckDecision(decision, images, {
      checker,
      governanceNs,
      at,
      configs,
      checks,
    });
    const result = combine(rechecks);
    const written = await s.db.kysely.transaction().execute((trx) =>
      recordReconciliation(trx, {
        decisionId: decision.id,
        at: run.at,
        result,
        seconds: (at.getTime() - Date.parse(decision.at)) / 1000,
        detail: { images: rechecks },
      }),
    );
    if (!written) run.skipped += 1;
    else if (result === 'confirmed') run.confirmed += 1;
    else if (result === 'overturned') run.overturned += 1;
    else run.stillFailing += 1;
  }
  return run;
}

async function recheckDecision(
  d: DecisionRow,
  degradedImages: readonly DecisionImageRow[],
  c: {
    checker: ReconcileChecker;
    governanceNs: NamespaceConfigOf;
    at: Date;
    configs: Map<string, Promise<NamespaceConfig>>;
    checks: Map<string, Promise<ImageRecheck>>;
  },
): Promise<ImageRecheck[]> {
  const nsKey = `${d.cluster ?? ''}\u0000${d.namespace}`;
  let config = c.configs.get(nsKey);
  if (config === undefined) {
    config = c.governanceNs(d.cluster ?? undefined, d.namespace);
    c.configs.set(nsKey, config);
  }
  let ns: NamespaceConfig;
  try {
    ns = await config;
  } catch (e) {
    return [
      {
        image: '*',
        digest: null,
        result: 'still-failing',
        message: `the namespace's configuration could not be read: ${errorText(e)}`,
      },
    ];
  }
  const out: ImageRecheck[] = [];
  for (const i of degradedImages) {
    // Pinned to the digest that was admitted: re-resolving a tag could check another image.
    const ref = pinned(i.image, i.digest);
    const key = `${nsKey}\u0000${ref}`;
    let check = c.checks.get(key);
    if (check === undefined) {
      check = recheckImage(c.checker, ref, i, ns, c.at);
      c.checks.set(key, check);
    }
    out.push({ ...(await check), image: i.image, digest: i.digest });
  }
  return out;
}

async function recheckImage(
  checker: ReconcileChecker,
  ref: string,
  i: DecisionImageRow,
  ns: NamespaceConfig,
  at: Date,
): Promise<ImageRecheck> {
  const base = { image: i.image, digest: i.digest };
  let v: ImageVerdict;
  try {
    v = await checker.check(ref, ns, at, { fresh: true });
  } catch (e) {
    return { ...base, result: 'still-failing', message: errorText(e) };
  }
  const found = {
    outcome: v.outcome,
    ...(v.reason !== undefined ? { reason: v.reason } : {}),
    message: v.message,
  };
  if (v.outcome === 'infra' || v.degraded !== undefined)
    return { ...base, ...found, result: 'still-failing' };
  return { ...base, ...found, result: v.outcome === 'pass' ? 'confirmed' : 'overturned' };
}

/** Any image still failing keeps the decision pending; any overturned overturns it. */
function combine(rs: readonly ImageRecheck[]): ReconcileResult {
  if (rs.some((r) => r.result === 'still-failing')) return 'still-failing';
  if (rs.some((r) => r.result === 'overturned')) return 'overturned';
  return 'confirmed';
}

function pinned(image: string, digest: string | null): string {
  if (digest === null || image.includes('@')) return image;
  return `${image}@${digest}`;
}

function errorText(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  const msg = e instanceof Error ? e.message : String(e);
  return typeof code === 'string' ? `${code}: ${msg}` : msg;
}
