import {
  type Caller,
  inScope,
  requirePermission,
  requireSecondPerson,
} from '../../access/index.js';
import { InventoryError } from '../../inventory/index.js';
import {
  emergencyAdmission,
  parseEmergencyIdentity,
  SignError,
  type SigningIdentity,
} from '../../sign/index.js';
import { findTeam } from '../../store/catalogue.js';
import {
  claimEmergencyRequest,
  completeEmergencyRequest,
  type EmergencyRequestRow,
  findEmergencyRequest,
  insertEmergencyRequest,
  listEmergencyRequests,
  releaseEmergencyRequest,
} from '../../store/emergency-requests.js';
import { emergencyCertificateEntry } from '../../tlog/index.js';
import { audit } from '../audit-trail.js';
import { nowIso, type Services } from '../services.js';
import { type CaService, EMERGENCY_MAX_SECONDS } from './certificate-issuer.js';

/**
 * Emergency certificates in two steps (Brief 3: "guarded by approvals and logging"). When the OIDC
 * provider is down and a release must ship:
 * 1. a member of the team asks (`inventory:write`): the identity (an email or a URI that the
 *    team's signing identities admit), the public key with a proof of possession, the reason and
 *    the lifetime (at most 72 h). The request waits, for at most EMERGENCY_REQUEST_TTL_SECONDS.
 * 2. another person approves (`decision:write`; never the requester: people are compared, so a
 *    second token of the requester is the requester). The certificate is issued under Custody's
 *    emergency issuer, marked with approver, requester and reason, and appended to the
 *    transparency log as an `emergency-certificate` entry before it is stored or handed out:
 *    when the log does not take it, there is no certificate.
 * 3. the requester (or anyone of the team) fetches it.
 * Every step is recorded in the audit trail in the transaction that writes it, and team scope
 * and admission are checked inside those transactions.
 */

/** How long a request may wait for its approval. */
export const EMERGENCY_REQUEST_TTL_SECONDS = 24 * 3600;

export interface EmergencyRequestInput {
  team: string;
  identity: string;
  /** PEM (or base64 DER) SPKI. */
  publicKey: string;
  /** base64 signature by that key over the identity string. */
  proofOfPossession: string;
  reason: string;
  lifetimeSeconds: number;
}

export interface EmergencyRequestView {
  id: string;
  team: string;
  identity: string;
  /** Custody's emergency issuer: what `--certificate-oidc-issuer` names for these certificates. */
  issuer: string | undefined;
  reason: string;
  lifetimeHours: number;
  /** `pending`, `issuing`, `issued` or `expired`. */
  status: 'pending' | 'issuing' | 'issued' | 'expired';
  requester: string;
  requestedAt: string;
  expiresAt: string;
  approver: string | null;
  approvedAt: string | null;
  certificate: {
    serialNumber: string;
    notBefore: string;
    notAfter: string;
    /** Leaf, intermediate, root (PEM). */
    chain: string[];
    tlogIndex: number;
  } | null;
}

const MAX_REASON = 2000;

/**
 * Step 1: ask for an emergency certificate.
 * @throws AccessError AUTH_FORBIDDEN; InventoryError INVENTORY_NOT_FOUND (no such team in scope);
 *   SignError SIGN_IDENTITY_INVALID, SIGN_IDENTITY_NOT_ADMITTED, SIGN_CSR_INVALID
 */
export async function requestEmergencyCertificate(
  s: Services,
  ca: Pick<CaService, 'checkEmergencyKey' | 'emergencyIssuer'>,
  caller: Caller,
  r: EmergencyRequestInput,
): Promise<EmergencyRequestView> {
  requirePermission(caller.principal, 'inventory:write');
  parseEmergencyIdentity(r.identity);
  const reason = r.reason.trim();
  if (reason === '' || reason.length > MAX_REASON || /\p{Cc}/u.test(reason))
    throw new SignError(
      'SIGN_CSR_INVALID',
      `Say why the emergency certificate is needed: 1–${MAX_REASON} characters on one line.`,
    );
  if (
    !Number.isInteger(r.lifetimeSeconds) ||
    !(r.lifetimeSeconds > 0 && r.lifetimeSeconds <= EMERGENCY_MAX_SECONDS)
  )
    throw new SignError(
      'SIGN_CSR_INVALID',
      `An emergency certificate lives at most ${EMERGENCY_MAX_SECONDS / 3600} hours.`,
    );
  const publicKey = await ca.checkEmergencyKey(r.publicKey, r.identity, r.proofOfPossession);
  const now = s.clock();
  const at = now.toISOString();
  const expiresAt = new Date(now.getTime() + EMERGENCY_REQUEST_TTL_SECONDS * 1000).toISOString();
  return s.db.kysely.transaction().execute(async (trx) => {
    const team = await findTeam(trx, r.team);
    if (!team || !inScope(caller.principal, r.team)) throw teamNotFound(r.team);
    const admittedBy = admit(JSON.parse(team.signing_identities), r.team, r.identity);
    const id = await insertEmergencyRequest(trx, {
      team_id: team.id,
      identity: r.identity,
      public_key: publicKey,
      reason,
      lifetime_seconds: r.lifetimeSeconds,
      requester_actor: caller.principal.actor,
      requester_person: caller.principal.person,
      requested_at: at,
      expires_at: expiresAt,
    });
    await audit(
      trx,
      caller,
      {
        action: 'ca.emergency-request',
        target: `emergency-request:${id}`,
        team: r.team,
        details: {
          identity: r.identity,
          reason,
          lifetimeSeconds: r.lifetimeSeconds,
          admittedBy: { issuer: admittedBy.issuer, subject: admittedBy.subject },
        },
      },
      at,
    );
    const row = await findEmergencyRequest(trx, id);
    return view(row as EmergencyRequestRow, ca.emergencyIssuer, now);
  });
}

/**
 * Step 2: a second person approves; the certificate is issued, logged, stored and recorded.
 * @throws AccessError AUTH_FORBIDDEN (role), AUTH_SAME_PERSON (the requester approving); SignError
 *   SIGN_EMERGENCY_REQUEST_NOT_FOUND, SIGN_EMERGENCY_REQUEST_CONFLICT,
 *   SIGN_EMERGENCY_REQUEST_EXPIRED, SIGN_IDENTITY_NOT_ADMITTED (the team's list changed),
 *   SIGN_SERVICE_FAILED (no transparency log); whatever the CA or the log throws
 */
export async function approveEmergencyRequest(
  s: Services,
  ca: Pick<CaService, 'emergencyCertificate' | 'emergencyIssuer'>,
  caller: Caller,
  id: number,
): Promise<EmergencyRequestView> {
  requirePermission(caller.principal, 'decision:write');
  const log = s.tlog;
  if (log === undefined)
    throw new SignError(
      'SIGN_SERVICE_FAILED',
      'Emergency certificates are logged before they are handed out, and this service runs without its transparency log.',
      { details: { service: 'log' } },
    );
  const now = s.clock();
  const claimed = await s.db.kysely.transaction().execute(async (trx) => {
    const row = await findEmergencyRequest(trx, id);
    if (!row || !inScope(caller.principal, row.team)) throw requestNotFound(id);
    if (row.status !== 'pending') throw alreadyDecided(row);
    if (row.expires_at <= now.toISOString()) throw expired(row);
    // People are compared, not tokens: the requester's second token is the requester.
    requireSecondPerson(caller.principal, row.requester_person);
    // The list may have changed since the request: an identity no longer trusted is not issued.
    const team = await findTeam(trx, row.team);
    admit(JSON.parse(team?.signing_identities ?? '[]'), row.team, row.identity);
    const won = await claimEmergencyRequest(trx, id, {
      actor: caller.principal.actor,
      person: caller.principal.person,
      at: now.toISOString(),
    });
    if (!won) throw alreadyDecided(row);
    return row;
  });
  try {
    const issued = await ca.emergencyCertificate({
      identity: claimed.identity,
      publicKey: claimed.public_key,
      lifetimeSeconds: claimed.lifetime_seconds,
      mark: {
        approver: caller.principal.person,
        requester: claimed.requester_person,
        reason: claimed.reason,
        request: String(id),
      },
    });
    // Logged before anything is stored or returned: no log entry, no certificate.
    const leaf = new Uint8Array(Buffer.from(pemBody(issued.chainPem[0] as string), 'base64'));
    const { appended } = await log.appendChecked(
      emergencyCertificateEntry({
        certificate: leaf,
        identity: issued.identity,
        issuer: issued.issuer,
        team: claimed.team,
        request: String(id),
        requester: claimed.requester_person,
        approver: caller.principal.person,
        reason: claimed.reason,
        notBefore: issued.notBefore.toISOString(),
        notAfter: issued.notAfter.toISOString(),
      }),
    );
    const at = nowIso(s);
    return await s.db.kysely.transaction().execute(async (trx) => {
      const done = await completeEmergencyRequest(trx, id, {
        serialNumber: issued.serialNumber,
        notBefore: issued.notBefore.toISOString(),
        notAfter: issued.notAfter.toISOString(),
        chainPem: issued.chainPem,
        tlogIndex: appended.index,
      });
      if (!done) throw alreadyDecided(claimed);
      await audit(
        trx,
        caller,
        {
          action: 'ca.emergency-certificate',
          target: issued.identity,
          team: claimed.team,
          details: {
            request: id,
            requester: claimed.requester_person,
            approver: caller.principal.person,
            serialNumber: issued.serialNumber,
            issuer: issued.issuer,
            reason: claimed.reason,
            notBefore: issued.notBefore.toISOString(),
            notAfter: issued.notAfter.toISOString(),
            tlogIndex: appended.index,
          },
        },
        at,
      );
      const row = await findEmergencyRequest(trx, id);
      return view(row as EmergencyRequestRow, ca.emergencyIssuer, now);
    });
  } catch (e) {
    // Not issued, not logged, or not recorded: the request waits for an approval again. (A
    // certificate that was logged but not recorded is in the log, and never handed out.)
    await releaseEmergencyRequest(s.db.kysely, id).catch(() => undefined);
    throw e;
  }
}

/**
 * A request and, once issued, its certificate.
 * @throws SignError SIGN_EMERGENCY_REQUEST_NOT_FOUND (also for another team's request)
 */
export async function getEmergencyRequest(
  s: Services,
  ca: Pick<CaService, 'emergencyIssuer'>,
  caller: Caller,
  id: number,
): Promise<EmergencyRequestView> {
  requirePermission(caller.principal, 'inventory:read');
  const row = await findEmergencyRequest(s.db.read, id);
  if (!row || !inScope(caller.principal, row.team)) throw requestNotFound(id);
  return view(row, ca.emergencyIssuer, s.clock());
}

/** The requests of the caller's teams, newest first (`pending` ones: what approvers look at). */
export async function listEmergencyRequestViews(
  s: Services,
  ca: Pick<CaService, 'emergencyIssuer'>,
  caller: Caller,
  o: { status?: 'pending' | 'issuing' | 'issued'; limit?: number },
): Promise<EmergencyRequestView[]> {
  requirePermission(caller.principal, 'inventory:read');
  const rows = await listEmergencyRequests(s.db.read, {
    ...(caller.principal.teams !== undefined ? { teams: caller.principal.teams } : {}),
    ...(o.status !== undefined ? { status: o.status } : {}),
    limit: o.limit ?? 100,
  });
  const now = s.clock();
  return rows.map((r) => view(r, ca.emergencyIssuer, now));
}

function admit(
  list: SigningIdentity[],
  team: string,
  identity: string,
): Extract<SigningIdentity, { issuer: string }> {
  const entry = emergencyAdmission(list, identity);
  if (entry === undefined)
    throw new SignError(
      'SIGN_IDENTITY_NOT_ADMITTED',
      `${identity} is not among team ${team}'s signing identities, so no emergency certificate is issued for it; an organisation admin adds it (PUT /api/v1/teams/${team}/signing-identities)`,
      { details: { team, identity } },
    );
  return entry;
}

function view(r: EmergencyRequestRow, issuer: string | undefined, now: Date): EmergencyRequestView {
  const waiting = r.status === 'pending' || r.status === 'issuing';
  const status =
    waiting && r.expires_at <= now.toISOString()
      ? 'expired'
      : (r.status as EmergencyRequestView['status']);
  return {
    id: String(r.id),
    team: r.team,
    identity: r.identity,
    issuer,
    reason: r.reason,
    lifetimeHours: r.lifetime_seconds / 3600,
    status,
    requester: r.requester_person,
    requestedAt: r.requested_at,
    expiresAt: r.expires_at,
    approver: r.approver_person,
    approvedAt: r.decided_at,
    certificate:
      r.status === 'issued' && r.certificate_chain !== null
        ? {
            serialNumber: r.serial_number ?? '',
            notBefore: r.not_before ?? '',
            notAfter: r.not_after ?? '',
            chain: JSON.parse(r.certificate_chain) as string[],
            tlogIndex: Number(r.tlog_index),
          }
        : null,
  };
}

function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

function teamNotFound(team: string): InventoryError {
  return new InventoryError(
    'INVENTORY_NOT_FOUND',
    `team ${team} does not exist or is outside this token's teams`,
    { details: { team } },
  );
}

function requestNotFound(id: number): SignError {
  return new SignError(
    'SIGN_EMERGENCY_REQUEST_NOT_FOUND',
    `There is no emergency request ${id} in this token's teams (custody ca emergency list shows them).`,
    { details: { id } },
  );
}

function alreadyDecided(r: EmergencyRequestRow): SignError {
  return new SignError(
    'SIGN_EMERGENCY_REQUEST_CONFLICT',
    `Emergency request ${r.id} was already approved${r.approver_person ? ` by ${r.approver_person}` : ''}; fetch its certificate (custody ca emergency fetch ${r.id}).`,
    { details: { id: r.id, status: r.status } },
  );
}

function expired(r: EmergencyRequestRow): SignError {
  return new SignError(
    'SIGN_EMERGENCY_REQUEST_EXPIRED',
    `Emergency request ${r.id} waited past ${r.expires_at} without approval; ask again (custody ca emergency request).`,
    { details: { id: r.id, expiresAt: r.expires_at } },
  );
}
