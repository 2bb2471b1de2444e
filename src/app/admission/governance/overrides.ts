import {
  AccessError,
  type Caller,
  inScope,
  requirePermission,
  requireSecondPerson,
  samePerson,
} from '../../../access/index.js';
import { AdmissionGovernanceError } from '../../../admission/governance-errors.js';
import { type HealthRule, healthHeld } from '../../../admission/health.js';
import {
  OVERRIDE_APPROVALS,
  type OverrideRequestInput,
  type OverrideState,
  overrideState,
  validateOverrideRequest,
} from '../../../admission/overrides.js';
import type { AdmissionMode } from '../../../admission/types.js';
import {
  type AdmissionOverrideRow,
  bumpGovernanceGeneration,
  endOverride,
  findOverride,
  insertOverride,
  insertOverrideApproval,
  listHealthProbes,
  listOverrides,
  type OverrideApprovalRow,
  overrideApprovals,
} from '../../../store/admission-governance.js';
import type { Q } from '../../../store/db.js';
import { audit, auditDecision } from '../../audit-trail.js';
import { recheckCaller } from '../../recheck-caller.js';
import type { Services } from '../../services.js';
import {
  GOVERNANCE_JOB_CALLER,
  isUniqueViolation,
  namespaceTeam,
  noteGovernanceWrite,
  notFound,
  samePersonError,
} from './shared.js';

/**
 * Mode overrides: an admin sets one (namespaces, mode, ticket, expiry ≤ 72 h, optionally "revert
 * once these upstreams are healthy"); two approvers, other people than the requester and than
 * each other, make it active. It ends by itself at its expiry (the reads filter by time), when
 * health has held (`revertHealedOverrides`, run by a job), or when revoked.
 */

/** The namespaces and the images running in them (the deployments inventory, wired by the lead). */
export interface BlastRadius {
  namespaces: string[];
  images: { namespace: string; image: string; digest: string }[];
}
export type BlastRadiusFn = (namespaces: string[]) => Promise<BlastRadius>;

export interface OverrideView {
  id: string;
  namespaces: string[];
  mode: AdmissionMode;
  ticket: string;
  requester: string;
  requestedAt: string;
  expiresAt: string;
  revertWhenHealthy: HealthRule | null;
  state: OverrideState;
  approvals: { approver: string; approvedAt: string }[];
  revertedAt: string | null;
  revertReason: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
}

export function overrideView(
  r: AdmissionOverrideRow,
  approvals: readonly OverrideApprovalRow[],
  at: Date,
): OverrideView {
  const mine = approvals.filter((a) => a.override_id === r.id);
  return {
    id: String(r.id),
    namespaces: JSON.parse(r.namespaces) as string[],
    mode: r.mode as AdmissionMode,
    ticket: r.ticket,
    requester: r.requester_person,
    requestedAt: r.requested_at,
    expiresAt: r.expires_at,
    revertWhenHealthy: r.revert_rule === null ? null : (JSON.parse(r.revert_rule) as HealthRule),
    state: overrideState(
      {
        expiresAt: r.expires_at,
        revokedAt: r.revoked_at,
        revertedAt: r.reverted_at,
        approvals: mine.length,
      },
      at,
    ),
    approvals: mine.map((a) => ({ approver: a.approver_person, approvedAt: a.approved_at })),
    revertedAt: r.reverted_at,
    revertReason: r.revert_reason,
    revokedAt: r.revoked_at,
    revokedBy: r.revoked_by,
  };
}

/**
 * Set a mode override (an admin; a team-scoped admin only over its teams' namespaces). It waits
 * for two approvals. The answer carries its blast radius: the namespaces and the images running
 * in them now (null when the inventory could not say).
 * @throws AccessError AUTH_FORBIDDEN, AUTH_TOKEN_INVALID; AdmissionGovernanceError
 *   ADMISSION_OVERRIDE_INVALID, ADMISSION_OVERRIDE_TOO_LONG, ADMISSION_NAMESPACE_INVALID
 */
export async function requestOverride(
  s: Services,
  caller: Caller,
  input: OverrideRequestInput,
  blastRadius: BlastRadiusFn,
): Promise<{ override: OverrideView; blastRadius: BlastRadius | null }> {
  requirePermission(caller.principal, 'admin');
  const now = s.clock();
  const r = validateOverrideRequest(input, now);
  const at = now.toISOString();
  const override = await s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, at);
    await requireNamespacesInScope(trx, caller, r.namespaces);
    const id = await insertOverride(trx, {
      namespaces: JSON.stringify(r.namespaces),
      mode: r.mode,
      ticket: r.ticket,
      requester_actor: caller.principal.actor,
      requester_person: caller.principal.person,
      requested_at: at,
      expires_at: r.expiresAt,
      revert_rule: r.revertWhenHealthy ? JSON.stringify(r.revertWhenHealthy) : null,
    });
    await bumpGovernanceGeneration(trx);
    await audit(
      trx,
      caller,
      {
        action: 'admission.override.request',
        target: `admission-override:${id}`,
        details: { ...r },
      },
      at,
    );
    return overrideView((await findOverride(trx, id)) as AdmissionOverrideRow, [], now);
  });
  noteGovernanceWrite(s);
  let radius: BlastRadius | null;
  try {
    radius = await blastRadius(r.namespaces);
  } catch {
    radius = null;
  }
  return { override, blastRadius: radius };
}

/**
 * Approve an override: an approver (a team-scoped one only over its teams' namespaces), not the
 * requester, not the person who gave the other approval. The second approval makes it active.
 * @throws AccessError AUTH_FORBIDDEN, AUTH_SAME_PERSON, AUTH_TOKEN_INVALID;
 *   AdmissionGovernanceError ADMISSION_OVERRIDE_NOT_FOUND, ADMISSION_OVERRIDE_CONFLICT
 */
export async function approveOverride(
  s: Services,
  caller: Caller,
  id: number,
): Promise<OverrideView> {
  requirePermission(caller.principal, 'decision:write');
  const now = s.clock();
  const at = now.toISOString();
  try {
    const out = await s.db.kysely.transaction().execute(async (trx) => {
      await recheckCaller(trx, caller, at);
      const row = await findOverride(trx, id);
      if (!row) throw notFound('ADMISSION_OVERRIDE_NOT_FOUND', `override ${id}`);
      await requireNamespacesInScope(trx, caller, JSON.parse(row.namespaces) as string[]);
      const approvals = await overrideApprovals(trx, [id]);
      const v = overrideView(row, approvals, now);
      if (v.state !== 'pending') throw conflict(id, `is ${v.state}`);
      requireSecondPerson(caller.principal, row.requester_person);
      const other = approvals.find((a) => samePerson(caller.principal, a.approver_person));
      if (other) throw samePersonError(other.approver_person);
      await insertOverrideApproval(trx, {
        override_id: id,
        approver_actor: caller.principal.actor,
        approver_person: caller.principal.person,
        approved_at: at,
      });
      await bumpGovernanceGeneration(trx);
      await auditDecision(
        trx,
        caller,
        row.requester_person,
        {
          action: 'admission.override.approve',
          target: `admission-override:${id}`,
          details: {
            namespaces: v.namespaces,
            mode: v.mode,
            ticket: v.ticket,
            approval: approvals.length + 1,
            of: OVERRIDE_APPROVALS,
          },
        },
        at,
      );
      return overrideView(row, await overrideApprovals(trx, [id]), now);
    });
    noteGovernanceWrite(s);
    return out;
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(id, 'was approved by this person already');
    throw e;
  }
}

/**
 * Revoke an override (an admin or an approver within its namespaces' teams): it ends at once.
 * @throws AccessError AUTH_FORBIDDEN, AUTH_TOKEN_INVALID; AdmissionGovernanceError
 *   ADMISSION_OVERRIDE_NOT_FOUND, ADMISSION_OVERRIDE_CONFLICT (ended already)
 */
export async function revokeOverride(
  s: Services,
  caller: Caller,
  id: number,
  reason?: string,
): Promise<OverrideView> {
  const p = caller.principal;
  if (!(p.role === 'admin' || p.role === 'approver'))
    throw new AccessError('AUTH_FORBIDDEN', 'An admin or an approver revokes a mode override');
  const now = s.clock();
  const at = now.toISOString();
  const out = await s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, at);
    const row = await findOverride(trx, id);
    if (!row) throw notFound('ADMISSION_OVERRIDE_NOT_FOUND', `override ${id}`);
    await requireNamespacesInScope(trx, caller, JSON.parse(row.namespaces) as string[]);
    if (!(await endOverride(trx, id, { revokedBy: p.person }, at)))
      throw conflict(id, 'has ended already');
    await bumpGovernanceGeneration(trx);
    await audit(
      trx,
      caller,
      {
        action: 'admission.override.revoke',
        target: `admission-override:${id}`,
        details: { namespaces: JSON.parse(row.namespaces), ...(reason ? { reason } : {}) },
      },
      at,
    );
    return overrideView(
      (await findOverride(trx, id)) as AdmissionOverrideRow,
      await overrideApprovals(trx, [id]),
      now,
    );
  });
  noteGovernanceWrite(s);
  return out;
}

/** Overrides newest first, with their state now (organisation-wide: an outage's overrides are everyone's news). */
export async function listOverrideViews(
  s: Services,
  caller: Caller,
  o: { state?: OverrideState; limit?: number },
): Promise<OverrideView[]> {
  requirePermission(caller.principal, 'inventory:read');
  const now = s.clock();
  const limit = o.limit ?? 100;
  const rows = await listOverrides(s.db.read, {
    ...(o.state === 'active' || o.state === 'pending' ? { unexpiredAt: now.toISOString() } : {}),
    limit: o.state === undefined ? limit : 2000,
  });
  const approvals = await overrideApprovals(
    s.db.read,
    rows.map((r) => r.id),
  );
  return rows
    .map((r) => overrideView(r, approvals, now))
    .filter((v) => o.state === undefined || v.state === o.state)
    .slice(0, limit);
}

/**
 * Revert active overrides whose `revertWhenHealthy` rule holds at `at` (a periodic job calls this;
 * expiry needs no job). Each revert is audited with the probes that justified it. Returns the ids
 * reverted.
 */
export async function revertHealedOverrides(s: Services, at: Date): Promise<string[]> {
  const iso = at.toISOString();
  const rows = await listOverrides(s.db.read, { unexpiredAt: iso, limit: 1000 });
  const candidates = rows.filter((r) => r.revert_rule !== null);
  if (candidates.length === 0) return [];
  const approvals = await overrideApprovals(
    s.db.read,
    candidates.map((r) => r.id),
  );
  const reverted: string[] = [];
  for (const row of candidates) {
    const v = overrideView(row, approvals, at);
    const rule = v.revertWhenHealthy;
    if (v.state !== 'active' || rule === null) continue;
    const probes = await listHealthProbes(s.db.read, {
      upstreams: rule.upstreams,
      since: new Date(at.getTime() - rule.windowMs).toISOString(),
      limit: rule.upstreams.length * rule.probes * 4 + 100,
    });
    const held = healthHeld(
      probes.map((p) => ({ upstream: p.upstream, at: p.at, healthy: p.healthy === 1 })),
      rule,
      at,
    );
    if (!held) continue;
    const why = `upstream health held: the last ${rule.probes} probes of ${rule.upstreams.join(', ')} within ${Math.round(rule.windowMs / 1000)} s were healthy`;
    const done = await s.db.kysely.transaction().execute(async (trx) => {
      if (!(await endOverride(trx, row.id, { revertReason: why }, iso))) return false;
      await bumpGovernanceGeneration(trx);
      await audit(
        trx,
        GOVERNANCE_JOB_CALLER,
        {
          action: 'admission.override.revert',
          target: `admission-override:${row.id}`,
          details: { namespaces: v.namespaces, mode: v.mode, reason: why, rule },
        },
        iso,
      );
      return true;
    });
    if (done) reverted.push(String(row.id));
  }
  if (reverted.length > 0) noteGovernanceWrite(s);
  return reverted;
}

/** A team-scoped caller acts only on namespaces its teams own (one without a team: org-wide only). */
async function requireNamespacesInScope(
  q: Q,
  caller: Caller,
  namespaces: readonly string[],
): Promise<void> {
  if (caller.principal.teams === undefined) return;
  for (const n of namespaces) {
    const team = await namespaceTeam(q, n);
    if (team === undefined || !inScope(caller.principal, team))
      throw new AccessError(
        'AUTH_FORBIDDEN',
        `Namespace ${n} is not one of this token's teams' namespaces`,
      );
  }
}

function conflict(id: number, why: string): AdmissionGovernanceError {
  return new AdmissionGovernanceError('ADMISSION_OVERRIDE_CONFLICT', `Mode override ${id} ${why}`, {
    details: { id },
  });
}
