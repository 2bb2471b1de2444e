import { AdmissionGovernanceError } from './governance-errors.js';
import { compileImagePattern } from './image-pattern.js';
import { checkNamespaceName, show } from './namespaces.js';
import { type ActiveException, ADMISSION_REASONS, type AdmissionReason } from './types.js';

/**
 * Exceptions (Brief 3): a namespace and an image pattern let through despite some reasons, for a
 * ticket, until an expiry. Two approvals make one active: the service owner's (an approver scoped
 * to the namespace's team) and security's (an organisation-wide approver), both other people than
 * the requester and than each other. Past its expiry an exception simply stops being returned:
 * enforcement comes back by itself, with no job to run.
 */

/** The longest an exception may run: a waiver that needs renewing is looked at again. */
export const MAX_EXCEPTION_DAYS = 30;
export const MAX_TICKET_LENGTH = 200;
/** A malformed request is never waived: there is nothing to judge. */
export const UNWAIVABLE: readonly AdmissionReason[] = ['request-invalid'];

export type ApprovalSide = 'service-owner' | 'security';
export const APPROVAL_SIDES: readonly ApprovalSide[] = ['service-owner', 'security'];

export type ExceptionState = 'pending' | 'active' | 'expired' | 'revoked';

export interface ExceptionRequestInput {
  namespace: string;
  imagePattern: string;
  ticket: string;
  /** Empty or absent: every reason but `request-invalid`. */
  reasons?: string[];
  /** ISO 8601. */
  expiresAt: string;
}

export interface ExceptionRequest {
  namespace: string;
  imagePattern: string;
  ticket: string;
  reasons: AdmissionReason[];
  expiresAt: string;
}

/** @throws AdmissionGovernanceError ADMISSION_EXCEPTION_INVALID, ADMISSION_PATTERN_INVALID, ADMISSION_NAMESPACE_INVALID */
export function validateExceptionRequest(r: ExceptionRequestInput, now: Date): ExceptionRequest {
  checkNamespaceName(r.namespace);
  compileImagePattern(r.imagePattern);
  const ticket = checkTicket(r.ticket, (why) => invalid(why));
  const reasons = [...new Set(r.reasons ?? [])];
  for (const x of reasons) {
    if (!(ADMISSION_REASONS as readonly string[]).includes(x))
      invalid(`reason ${show(x)} is not one of ${ADMISSION_REASONS.join(', ')}`);
    if ((UNWAIVABLE as readonly string[]).includes(x)) invalid(`${x} is never waived`);
  }
  const expires = typeof r.expiresAt === 'string' ? Date.parse(r.expiresAt) : Number.NaN;
  if (Number.isNaN(expires) || !/^\d{4}-\d\d-\d\dT/.test(r.expiresAt))
    invalid('expiresAt is an ISO 8601 date and time');
  if (expires <= now.getTime()) invalid('expiresAt is in the past');
  if (expires > now.getTime() + MAX_EXCEPTION_DAYS * 86_400_000)
    invalid(`an exception runs at most ${MAX_EXCEPTION_DAYS} days; ask again when it ends`);
  return {
    namespace: r.namespace,
    imagePattern: r.imagePattern,
    ticket,
    reasons: reasons as AdmissionReason[],
    expiresAt: new Date(expires).toISOString(),
  };
}

/** A ticket: one line, 1–MAX_TICKET_LENGTH characters. */
export function checkTicket(t: unknown, fail: (why: string) => never): string {
  const s = typeof t === 'string' ? t.trim() : '';
  if (s === '' || s.length > MAX_TICKET_LENGTH || /\p{Cc}/u.test(s))
    fail(`the ticket is one line of 1–${MAX_TICKET_LENGTH} characters`);
  return s;
}

/**
 * In which capacity an approver approves. Security is organisation-wide (a token with no teams);
 * the service owner is an approver scoped to the namespace's team. `asked` is what the approver
 * claims; without it, the capacity follows from the token.
 * @throws AdmissionGovernanceError ADMISSION_APPROVER_FORBIDDEN
 */
export function approvalSide(
  approverTeams: readonly string[] | undefined,
  namespaceTeam: string | undefined,
  asked?: ApprovalSide,
): ApprovalSide {
  const side: ApprovalSide = asked ?? (approverTeams === undefined ? 'security' : 'service-owner');
  if (side === 'security' && approverTeams !== undefined)
    forbidden(
      'Security approves with an organisation-wide approver token; this one is limited to some teams',
    );
  if (side === 'service-owner') {
    if (namespaceTeam === undefined)
      forbidden(
        "The namespace has no owning team, so no service owner can approve; an admin sets the namespace's team first (custody admission namespace set --team)",
      );
    if (approverTeams === undefined || !approverTeams.includes(namespaceTeam))
      forbidden(
        `The service owner approves with an approver token scoped to team ${namespaceTeam}, the namespace's owner`,
      );
  }
  return side;
}

export interface ExceptionFacts {
  expiresAt: string;
  revokedAt: string | null;
  approvals: readonly { side: string }[];
}

/** Where an exception stands at `at`: revoked, expired, active (both sides approved) or pending. */
export function exceptionState(e: ExceptionFacts, at: Date): ExceptionState {
  if (e.revokedAt !== null) return 'revoked';
  if (Date.parse(e.expiresAt) <= at.getTime()) return 'expired';
  const sides = new Set(e.approvals.map((a) => a.side));
  return APPROVAL_SIDES.every((s) => sides.has(s)) ? 'active' : 'pending';
}

/** Whether an active exception waives `reason` for `image`. */
export function exceptionCovers(
  e: Pick<ActiveException, 'imagePattern' | 'reasons'>,
  image: string,
  reason: AdmissionReason,
): boolean {
  if ((UNWAIVABLE as readonly string[]).includes(reason)) return false;
  if (e.reasons.length > 0 && !e.reasons.includes(reason)) return false;
  return compileImagePattern(e.imagePattern).test(image);
}

function invalid(why: string): never {
  throw new AdmissionGovernanceError('ADMISSION_EXCEPTION_INVALID', `Exception: ${why}`, {
    details: { reason: why },
  });
}

function forbidden(message: string): never {
  throw new AdmissionGovernanceError('ADMISSION_APPROVER_FORBIDDEN', message);
}
