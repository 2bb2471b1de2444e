import type { Caller } from '../../../access/index.js';
import { buildWouldDenyReport, type WouldDenyReport } from '../../../admission/report.js';
import { ADMISSION_REASONS, type AdmissionReason } from '../../../admission/types.js';
import {
  type DecisionImageRow,
  type DecisionRow,
  type DeploymentRow,
  imagesOfDecisions,
  listDecisions,
  listDeployments,
  listReconciliations,
  MAX_WOULD_DENY_GROUPS,
  namespaceDecisionStats,
  type ReconciliationListRow,
  wouldDenyGroups,
} from '../../../store/admission-decisions.js';
import type { Services } from '../../services.js';
import {
  boolParam,
  intParam,
  invalid,
  nameParam,
  requireRecordReader,
  timeParam,
} from './query.js';

const MAX_LIMIT = 500;
const DEFAULT_LIMIT = 100;

/** One decision as the API shows it. */
export interface DecisionView {
  id: number;
  uid: string;
  api: string;
  cluster: string | null;
  namespace: string;
  workload: string;
  operation: string;
  dryRun: boolean;
  mode: string;
  modeSource: string;
  overrideId: string | null;
  allowed: boolean;
  degraded: boolean;
  /** Enforce would have denied it (it was taken in audit or warn, or was denied). */
  wouldDeny: boolean;
  reasons: string[];
  message: string | null;
  warnings: string[];
  at: string;
  /** A degraded decision's final reconciliation; null while pending (or not degraded). */
  reconciliation: { result: string; at: string } | null;
  images: DecisionImageView[];
}

export interface DecisionImageView {
  image: string;
  digest: string | null;
  outcome: string;
  reason: string | null;
  message: string;
  effect: string;
  exceptionId: string | null;
  degraded: unknown;
  cached: boolean;
  policy: { name: string; version: string | null; digest: string | null } | null;
}

export interface Paged<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

export interface DecisionQuery {
  namespace?: string;
  cluster?: string;
  allowed?: string;
  reason?: string;
  since?: string;
  limit?: string;
  cursor?: string;
}

/**
 * Decisions newest first, filtered, keyset-paged (`cursor`: the last page's `nextCursor`).
 * @throws AdmissionRecordsError ADMISSION_RECORDS_QUERY_INVALID; AccessError AUTH_FORBIDDEN
 */
export async function listDecisionViews(
  s: Services,
  caller: Caller,
  q: DecisionQuery,
): Promise<Paged<DecisionView>> {
  requireRecordReader(caller);
  const limit = intParam(q.limit, 'limit', { min: 1, max: MAX_LIMIT, default: DEFAULT_LIMIT });
  const before = intParam(q.cursor, 'cursor', { min: 1, max: Number.MAX_SAFE_INTEGER });
  if (q.reason !== undefined && !(ADMISSION_REASONS as readonly string[]).includes(q.reason))
    throw invalid(`reason must be one of ${ADMISSION_REASONS.join(', ')}`, 'reason');
  const namespace = nameParam(q.namespace, 'namespace');
  const cluster = nameParam(q.cluster, 'cluster');
  const allowed = boolParam(q.allowed, 'allowed');
  const since = timeParam(q.since, 'since');
  const rows = await listDecisions(s.db.read, {
    ...(namespace !== undefined ? { namespace } : {}),
    ...(cluster !== undefined ? { cluster } : {}),
    ...(allowed !== undefined ? { allowed } : {}),
    ...(q.reason !== undefined ? { reason: q.reason as AdmissionReason } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(before !== undefined ? { before } : {}),
    limit: (limit ?? DEFAULT_LIMIT) + 1,
  });
  const page = rows.slice(0, limit);
  const images = await imagesOfDecisions(
    s.db.read,
    page.map((r) => r.id),
  );
  return {
    items: page.map((r) => decisionView(r, images)),
    nextCursor: rows.length > page.length ? String(page[page.length - 1]?.id) : null,
  };
}

function decisionView(r: DecisionRow, images: readonly DecisionImageRow[]): DecisionView {
  return {
    id: r.id,
    uid: r.uid,
    api: r.api,
    cluster: r.cluster,
    namespace: r.namespace,
    workload: r.workload,
    operation: r.operation,
    dryRun: r.dry_run === 1,
    mode: r.mode,
    modeSource: r.mode_source,
    overrideId: r.override_id,
    allowed: r.allowed === 1,
    degraded: r.degraded === 1,
    wouldDeny: r.would_deny === 1,
    reasons: JSON.parse(r.reasons) as string[],
    message: r.message,
    warnings: JSON.parse(r.warnings) as string[],
    at: r.at,
    reconciliation:
      r.reconciliation !== null && r.reconciled_at !== null
        ? { result: r.reconciliation, at: r.reconciled_at }
        : null,
    images: images.filter((i) => i.decision_id === r.id).map(imageView),
  };
}

function imageView(i: DecisionImageRow): DecisionImageView {
  return {
    image: i.image,
    digest: i.digest,
    outcome: i.outcome,
    reason: i.reason,
    message: i.message,
    effect: i.effect,
    exceptionId: i.exception_id,
    degraded: i.degraded === null ? null : JSON.parse(i.degraded),
    cached: i.cached === 1,
    policy:
      i.policy_name === null
        ? null
        : { name: i.policy_name, version: i.policy_version, digest: i.policy_digest },
  };
}

export interface DeploymentView {
  id: number;
  cluster: string;
  namespace: string;
  digest: string;
  image: string;
  firstAdmittedAt: string;
  lastAdmittedAt: string;
}

/**
 * Digests admitted per cluster and namespace (identified callers' real requests), newest first.
 * @throws AdmissionRecordsError ADMISSION_RECORDS_QUERY_INVALID; AccessError AUTH_FORBIDDEN
 */
export async function listDeploymentViews(
  s: Services,
  caller: Caller,
  q: { cluster?: string; namespace?: string; digest?: string; limit?: string; cursor?: string },
): Promise<Paged<DeploymentView>> {
  requireRecordReader(caller);
  const limit = intParam(q.limit, 'limit', { min: 1, max: MAX_LIMIT, default: DEFAULT_LIMIT });
  const before = intParam(q.cursor, 'cursor', { min: 1, max: Number.MAX_SAFE_INTEGER });
  if (q.digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(q.digest))
    throw invalid('digest must be sha256:<64 hex>', 'digest');
  const cluster = nameParam(q.cluster, 'cluster');
  const namespace = nameParam(q.namespace, 'namespace');
  const rows = await listDeployments(s.db.read, {
    ...(cluster !== undefined ? { cluster } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    ...(q.digest !== undefined ? { digest: q.digest } : {}),
    ...(before !== undefined ? { before } : {}),
    limit: (limit ?? DEFAULT_LIMIT) + 1,
  });
  const page = rows.slice(0, limit);
  return {
    items: page.map(deploymentView),
    nextCursor: rows.length > page.length ? String(page[page.length - 1]?.id) : null,
  };
}

function deploymentView(r: DeploymentRow): DeploymentView {
  return {
    id: r.id,
    cluster: r.cluster,
    namespace: r.namespace,
    digest: r.digest,
    image: r.image,
    firstAdmittedAt: r.first_admitted_at,
    lastAdmittedAt: r.last_admitted_at,
  };
}

const DAY_MS = 86_400_000;

/**
 * The would-deny report over the last `days` (default 7, at most 366), per namespace or for one.
 * @throws AdmissionRecordsError ADMISSION_RECORDS_QUERY_INVALID; AccessError AUTH_FORBIDDEN
 */
export async function wouldDenyReport(
  s: Services,
  caller: Caller,
  q: { days?: string; namespace?: string; top?: string },
): Promise<WouldDenyReport> {
  requireRecordReader(caller);
  const days = intParam(q.days, 'days', { min: 1, max: 366, default: 7 }) ?? 7;
  const topN = intParam(q.top, 'top', { min: 1, max: 100, default: 10 }) ?? 10;
  const namespace = nameParam(q.namespace, 'namespace');
  const until = s.clock();
  const since = new Date(until.getTime() - days * DAY_MS).toISOString();
  const [counts, groups] = await Promise.all([
    namespaceDecisionStats(s.db.read, since, namespace),
    wouldDenyGroups(s.db.read, since, namespace),
  ]);
  return buildWouldDenyReport({
    days,
    since,
    until: until.toISOString(),
    counts,
    groups: groups.slice(0, MAX_WOULD_DENY_GROUPS),
    topN,
    truncated: groups.length > MAX_WOULD_DENY_GROUPS,
  });
}

export interface ReconciliationView {
  id: number;
  decision: number;
  cluster: string | null;
  namespace: string;
  workload: string;
  decidedAt: string;
  allowed: boolean;
  reconciledAt: string;
  result: string;
  /** Seconds from the decision to this attempt. */
  seconds: number;
  detail: unknown;
}

const RESULTS = ['confirmed', 'overturned', 'still-failing'] as const;

/**
 * Reconciliation attempts, newest first; `result` filters.
 * @throws AdmissionRecordsError ADMISSION_RECORDS_QUERY_INVALID; AccessError AUTH_FORBIDDEN
 */
export async function listReconciliationViews(
  s: Services,
  caller: Caller,
  q: { result?: string; limit?: string; cursor?: string },
): Promise<Paged<ReconciliationView>> {
  requireRecordReader(caller);
  const limit = intParam(q.limit, 'limit', { min: 1, max: MAX_LIMIT, default: DEFAULT_LIMIT });
  const before = intParam(q.cursor, 'cursor', { min: 1, max: Number.MAX_SAFE_INTEGER });
  if (q.result !== undefined && !(RESULTS as readonly string[]).includes(q.result))
    throw invalid(`result must be one of ${RESULTS.join(', ')}`, 'result');
  const rows = await listReconciliations(s.db.read, {
    ...(q.result !== undefined ? { result: q.result } : {}),
    ...(before !== undefined ? { before } : {}),
    limit: (limit ?? DEFAULT_LIMIT) + 1,
  });
  const page = rows.slice(0, limit);
  return {
    items: page.map(reconciliationView),
    nextCursor: rows.length > page.length ? String(page[page.length - 1]?.id) : null,
  };
}

function reconciliationView(r: ReconciliationListRow): ReconciliationView {
  return {
    id: r.id,
    decision: r.decision_id,
    cluster: r.cluster,
    namespace: r.namespace,
    workload: r.workload,
    decidedAt: r.decided_at,
    allowed: r.allowed === 1,
    reconciledAt: r.reconciled_at,
    result: r.result,
    seconds: Number(r.seconds),
    detail: JSON.parse(r.detail),
  };
}
