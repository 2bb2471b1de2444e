import {
  AccessError,
  type Caller,
  inScope,
  requirePermission,
  requireSecondPerson,
  samePerson,
} from '../../../access/index.js';
import {
  type ApprovalSide,
  approvalSide,
  type ExceptionRequestInput,
  type ExceptionState,
  exceptionState,
  validateExceptionRequest,
} from '../../../admission/exceptions.js';
import { AdmissionGovernanceError } from '../../../admission/governance-errors.js';
import type { AdmissionReason } from '../../../admission/types.js';
import {
  type AdmissionExceptionRow,
  bumpGovernanceGeneration,
  type ExceptionApprovalRow,
  exceptionApprovals,
  findException,
  insertException,
  insertExceptionApproval,
  listExceptions,
  revokeException as revokeExceptionRow,
} from '../../../store/admission-governance.js';
import { audit, auditDecision } from '../../audit-trail.js';
import { recheckCaller } from '../../recheck-caller.js';
import type { Services } from '../../services.js';
import {
  isUniqueViolation,
  namespaceTeam,
  noteGovernanceWrite,
  notFound,
  samePersonError,
} from './shared.js';

/**
 * Exceptions, end to end: a member of the namespace's team asks; the service owner (an approver
 * of that team) and security (an organisation-wide approver) approve, each another person than
 * the requester and than each other (people compared, not tokens); anyone who may decide, or the
 * requester, revokes. Every step is checked and audited in the transaction that writes it.
 */

export interface ExceptionView {
  id: string;
  namespace: string;
  team: string | null;
  imagePattern: string;
  ticket: string;
  reasons: AdmissionReason[];
  requester: string;
  requestedAt: string;
  expiresAt: string;
  state: ExceptionState;
  approvals: { side: ApprovalSide; approver: string; approvedAt: string }[];
  revokedAt: string | null;
  revokedBy: string | null;
}

export function exceptionView(
  r: AdmissionExceptionRow,
  approvals: readonly ExceptionApprovalRow[],
  at: Date,
): ExceptionView {
  const mine = approvals.filter((a) => a.exception_id === r.id);
  return {
    id: String(r.id),
    namespace: r.namespace,
    team: r.team,
    imagePattern: r.image_pattern,
    ticket: r.ticket,
    reasons: JSON.parse(r.reasons) as AdmissionReason[],
    requester: r.requester_person,
    requestedAt: r.requested_at,
    expiresAt: r.expires_at,
    state: exceptionState(
      { expiresAt: r.expires_at, revokedAt: r.revoked_at, approvals: mine },
      at,
    ),
    approvals: mine.map((a) => ({
      side: a.side as ApprovalSide,
      approver: a.approver_person,
      approvedAt: a.approved_at,
    })),
    revokedAt: r.revoked_at,
    revokedBy: r.revoked_by,
  };
}

/**
 * Ask for an exception (a publisher or admin; a team-scoped one for its team's namespaces only).
 * @throws AccessError AUTH_FORBIDDEN, AUTH_TOKEN_INVALID; AdmissionGovernanceError
 *   ADMISSION_EXCEPTION_INVALID, ADMISSION_PATTERN_INVALID, ADMISSION_NAMESPACE_INVALID
 */
export async function requestException(
  s: Services,
  caller: Caller,
  input: ExceptionRequestInput,
): Promise<ExceptionView> {
  requirePermission(caller.principal, 'inventory:write');
  const now = s.clock();
  const r = validateExceptionRequest(input, now);
  const at = now.toISOString();
  const out = await s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, at);
    const team = await namespaceTeam(trx, r.namespace);
    // Without an owning team there is no service owner to approve: it could never be active.
    if (team === undefined)
      throw new AdmissionGovernanceError(
        'ADMISSION_EXCEPTION_INVALID',
        `Namespace ${r.namespace} has no owning team, so no service owner can approve an exception; an admin sets its team first (custody admission namespace set ${r.namespace} --team …)`,
      );
    if (!inScope(caller.principal, team))
      throw new AccessError(
        'AUTH_FORBIDDEN',
        `Namespace ${r.namespace} is not one of this token's teams' namespaces`,
      );
    const id = await insertException(trx, {
      namespace: r.namespace,
      team: team ?? null,
      image_pattern: r.imagePattern,
      ticket: r.ticket,
      reasons: JSON.stringify(r.reasons),
      requester_actor: caller.principal.actor,
      requester_person: caller.principal.person,
      requested_at: at,
      expires_at: r.expiresAt,
    });
    await bumpGovernanceGeneration(trx);
    await audit(
      trx,
      caller,
      {
        action: 'admission.exception.request',
        target: `admission-exception:${id}`,
        team,
        details: { ...r },
      },
      at,
    );
    return exceptionView((await findException(trx, id)) as AdmissionExceptionRow, [], now);
  });
  noteGovernanceWrite(s);
  return out;
}

/**
 * Approve an exception as the service owner or as security (`as`; by default what the token is:
 * organisation-wide → security, team-scoped → service owner).
 * @throws AccessError AUTH_FORBIDDEN (no approver), AUTH_SAME_PERSON (the requester, or the person
 *   who gave the other approval), AUTH_TOKEN_INVALID; AdmissionGovernanceError
 *   ADMISSION_EXCEPTION_NOT_FOUND, ADMISSION_EXCEPTION_CONFLICT, ADMISSION_APPROVER_FORBIDDEN
 */
export async function approveException(
  s: Services,
  caller: Caller,
  id: number,
  as?: ApprovalSide,
): Promise<ExceptionView> {
  requirePermission(caller.principal, 'decision:write');
  const now = s.clock();
  const at = now.toISOString();
  try {
    const out = await s.db.kysely.transaction().execute(async (trx) => {
      await recheckCaller(trx, caller, at);
      const row = await findException(trx, id);
      if (!row || !visible(caller, row))
        throw notFound('ADMISSION_EXCEPTION_NOT_FOUND', `exception ${id}`);
      const approvals = await exceptionApprovals(trx, [id]);
      const state = exceptionState(
        { expiresAt: row.expires_at, revokedAt: row.revoked_at, approvals },
        now,
      );
      if (state === 'revoked' || state === 'expired' || state === 'active')
        throw conflict(id, `is ${state}`);
      const side = approvalSide(caller.principal.teams, row.team ?? undefined, as);
      requireSecondPerson(caller.principal, row.requester_person);
      if (approvals.some((a) => a.side === side))
        throw conflict(id, `has its ${side} approval already`);
      const other = approvals.find((a) => samePerson(caller.principal, a.approver_person));
      if (other) throw samePersonError(other.approver_person);
      await insertExceptionApproval(trx, {
        exception_id: id,
        side,
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
          action: 'admission.exception.approve',
          target: `admission-exception:${id}`,
          ...(row.team !== null ? { team: row.team } : {}),
          details: {
            side,
            namespace: row.namespace,
            imagePattern: row.image_pattern,
            ticket: row.ticket,
          },
        },
        at,
      );
      return exceptionView(row, await exceptionApprovals(trx, [id]), now);
    });
    noteGovernanceWrite(s);
    return out;
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(id, 'was approved on this side meanwhile');
    throw e;
  }
}

/**
 * Revoke an exception: the requester, an approver or an admin within its team. It stops applying
 * at once.
 * @throws AccessError AUTH_FORBIDDEN, AUTH_TOKEN_INVALID; AdmissionGovernanceError
 *   ADMISSION_EXCEPTION_NOT_FOUND, ADMISSION_EXCEPTION_CONFLICT (revoked already)
 */
export async function revokeException(
  s: Services,
  caller: Caller,
  id: number,
  reason?: string,
): Promise<ExceptionView> {
  requirePermission(caller.principal, 'inventory:read');
  const now = s.clock();
  const at = now.toISOString();
  const out = await s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, at);
    const row = await findException(trx, id);
    if (!row || !visible(caller, row))
      throw notFound('ADMISSION_EXCEPTION_NOT_FOUND', `exception ${id}`);
    const p = caller.principal;
    if (!(p.role === 'admin' || p.role === 'approver' || samePerson(p, row.requester_person)))
      throw new AccessError(
        'AUTH_FORBIDDEN',
        'The requester, an approver or an admin revokes an exception',
      );
    if (!(await revokeExceptionRow(trx, id, p.person, at)))
      throw conflict(id, 'is revoked already');
    await bumpGovernanceGeneration(trx);
    await audit(
      trx,
      caller,
      {
        action: 'admission.exception.revoke',
        target: `admission-exception:${id}`,
        ...(row.team !== null ? { team: row.team } : {}),
        details: {
          namespace: row.namespace,
          imagePattern: row.image_pattern,
          ...(reason ? { reason } : {}),
        },
      },
      at,
    );
    return exceptionView(
      (await findException(trx, id)) as AdmissionExceptionRow,
      await exceptionApprovals(trx, [id]),
      now,
    );
  });
  noteGovernanceWrite(s);
  return out;
}

/** Exceptions of the caller's teams, newest first, with their state now. */
export async function listExceptionViews(
  s: Services,
  caller: Caller,
  o: { state?: ExceptionState; namespace?: string; limit?: number },
): Promise<ExceptionView[]> {
  requirePermission(caller.principal, 'inventory:read');
  const now = s.clock();
  const limit = o.limit ?? 100;
  const rows = await listExceptions(s.db.read, {
    ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
    ...(caller.principal.teams !== undefined ? { teams: caller.principal.teams } : {}),
    ...(o.state === 'active' || o.state === 'pending' ? { unexpiredAt: now.toISOString() } : {}),
    limit: o.state === undefined ? limit : 2000,
  });
  const approvals = await exceptionApprovals(
    s.db.read,
    rows.map((r) => r.id),
  );
  return rows
    .map((r) => exceptionView(r, approvals, now))
    .filter((v) => o.state === undefined || v.state === o.state)
    .slice(0, limit);
}

function visible(caller: Caller, row: AdmissionExceptionRow): boolean {
  return row.team === null
    ? caller.principal.teams === undefined
    : inScope(caller.principal, row.team);
}

function conflict(id: number, why: string): AdmissionGovernanceError {
  return new AdmissionGovernanceError('ADMISSION_EXCEPTION_CONFLICT', `Exception ${id} ${why}`, {
    details: { id },
  });
}
