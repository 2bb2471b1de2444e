import { checkTicket } from './exceptions.js';
import { AdmissionGovernanceError } from './governance-errors.js';
import { type HealthRule, validateHealthRule } from './health.js';
import { checkNamespaceName } from './namespaces.js';
import { ADMISSION_MODES, type AdmissionMode } from './types.js';

/**
 * Mode overrides (Brief 3): during an outage, namespaces run in another mode for a while. An
 * override is an object of its own — namespaces, mode, ticket, two approvers other than the
 * requester, an expiry at most MAX_OVERRIDE_HOURS away — and it ends by itself at its expiry, or
 * earlier once upstream health has held (`revertWhenHealthy`), or when revoked.
 */

export const MAX_OVERRIDE_HOURS = 72;
export const MAX_OVERRIDE_NAMESPACES = 100;
/** Approvals an override needs: two people, neither the requester. */
export const OVERRIDE_APPROVALS = 2;

export type OverrideState = 'pending' | 'active' | 'expired' | 'reverted' | 'revoked';

export interface OverrideRequestInput {
  namespaces: string[];
  mode: string;
  ticket: string;
  /** ISO 8601, at most MAX_OVERRIDE_HOURS after the request. */
  expiresAt: string;
  revertWhenHealthy?: Partial<HealthRule>;
}

export interface OverrideRequest {
  namespaces: string[];
  mode: AdmissionMode;
  ticket: string;
  expiresAt: string;
  revertWhenHealthy?: HealthRule;
}

/**
 * @throws AdmissionGovernanceError ADMISSION_OVERRIDE_INVALID, ADMISSION_OVERRIDE_TOO_LONG,
 *   ADMISSION_NAMESPACE_INVALID
 */
export function validateOverrideRequest(r: OverrideRequestInput, now: Date): OverrideRequest {
  const namespaces = [...new Set(Array.isArray(r.namespaces) ? r.namespaces : [])];
  if (namespaces.length === 0 || namespaces.length > MAX_OVERRIDE_NAMESPACES)
    invalid(`name 1–${MAX_OVERRIDE_NAMESPACES} namespaces`);
  for (const n of namespaces) checkNamespaceName(n);
  if (!(ADMISSION_MODES as readonly string[]).includes(r.mode))
    invalid(`mode is one of ${ADMISSION_MODES.join(', ')}`);
  const ticket = checkTicket(r.ticket, invalid);
  const expires = typeof r.expiresAt === 'string' ? Date.parse(r.expiresAt) : Number.NaN;
  if (Number.isNaN(expires) || !/^\d{4}-\d\d-\d\dT/.test(r.expiresAt))
    invalid('expiresAt is an ISO 8601 date and time');
  if (expires <= now.getTime()) invalid('expiresAt is in the past');
  if (expires > now.getTime() + MAX_OVERRIDE_HOURS * 3600_000)
    throw new AdmissionGovernanceError(
      'ADMISSION_OVERRIDE_TOO_LONG',
      `A mode override lasts at most ${MAX_OVERRIDE_HOURS} hours; set an earlier expiry and set another override if the outage lasts`,
      { details: { maxHours: MAX_OVERRIDE_HOURS, expiresAt: r.expiresAt } },
    );
  return {
    namespaces: namespaces.sort(),
    mode: r.mode as AdmissionMode,
    ticket,
    expiresAt: new Date(expires).toISOString(),
    ...(r.revertWhenHealthy !== undefined
      ? { revertWhenHealthy: validateHealthRule(r.revertWhenHealthy ?? {}) }
      : {}),
  };
}

export interface OverrideFacts {
  expiresAt: string;
  revokedAt: string | null;
  revertedAt: string | null;
  approvals: number;
}

/** Where an override stands at `at`. A revert or revocation recorded after `at` does not count yet. */
export function overrideState(o: OverrideFacts, at: Date): OverrideState {
  const t = at.getTime();
  if (o.revokedAt !== null && Date.parse(o.revokedAt) <= t) return 'revoked';
  if (o.revertedAt !== null && Date.parse(o.revertedAt) <= t) return 'reverted';
  if (Date.parse(o.expiresAt) <= t) return 'expired';
  return o.approvals >= OVERRIDE_APPROVALS ? 'active' : 'pending';
}

function invalid(why: string): never {
  throw new AdmissionGovernanceError('ADMISSION_OVERRIDE_INVALID', `Mode override: ${why}`, {
    details: { reason: why },
  });
}
