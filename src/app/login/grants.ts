import {
  type Caller,
  isRole,
  ROLES,
  type Role,
  requireGrantable,
  requirePermission,
  requireWithinTeams,
} from '../../access/index.js';
import { ensureTeam } from '../../store/catalogue.js';
import {
  findLiveGrants,
  findLoginGrantById,
  insertLoginGrant,
  type LoginGrantRow,
  listLoginGrants,
  revokeLoginGrant as revokeGrantRow,
  revokeTokensCreatedBy,
} from '../../store/login-grants.js';
import { audit } from '../audit-trail.js';
import { checkTeamName } from '../inventory/manage-teams.js';
import { recheckCaller } from '../recheck-caller.js';
import type { Services } from '../services.js';
import { checkPersonName } from '../tokens.js';
import { LoginError } from './errors.js';

export interface LoginGrantRequest {
  /** The provider's issuer URL, exactly as its ID tokens' `iss`. */
  issuer: string;
  /** The ID token's `sub`; or `email`, matched against a verified `email` claim. One of the two. */
  subject?: string;
  email?: string;
  /** Whom the session acts as: separation of duties compares this with other tokens' person. */
  person: string;
  role: string;
  teams?: readonly string[];
  expiresInDays?: number;
}

export interface LoginGrantView {
  id: number;
  issuer: string;
  subject: string | null;
  email: string | null;
  person: string;
  role: string;
  teams: string[] | null;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** The created_by of the session tokens a grant made, so revoking the grant ends them. */
export function grantActor(id: number): string {
  return `login-grant:${id}`;
}

/**
 * Let an OIDC identity log in to the dashboard as `person` with `role` and `teams`. A caller
 * grants only what it holds (`requireGrantable`, checked in the write's transaction): a login is
 * as good as a token of that role.
 * @throws LoginError LOGIN_GRANT_INVALID, LOGIN_GRANT_CONFLICT; AccessError AUTH_FORBIDDEN,
 *   AUTH_TOKEN_INVALID; InventoryError INVENTORY_INPUT_INVALID (person, team names)
 */
export async function addLoginGrant(
  s: Services,
  caller: Caller,
  req: LoginGrantRequest,
): Promise<LoginGrantView> {
  requirePermission(caller.principal, 'admin');
  const g = checkRequest(req);
  const now = s.clock();
  const at = now.toISOString();
  const expiresAt =
    req.expiresInDays === undefined
      ? null
      : new Date(now.getTime() + req.expiresInDays * 86_400_000).toISOString();
  const id = await s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, at);
    requireGrantable(caller.principal, { role: g.role, teams: g.teams });
    const same = (await findLiveGrants(trx, g, at)).filter(
      (r) => r.subject === g.subject && r.email === g.email,
    );
    if (same.length > 0)
      throw new LoginError(
        'LOGIN_GRANT_CONFLICT',
        `${g.subject ?? g.email} of ${g.issuer} has a login grant already (${same[0]?.id}); revoke it first to change it`,
        { details: { id: same[0]?.id } },
      );
    for (const t of g.teams ?? []) await ensureTeam(trx, t, at);
    const id = await insertLoginGrant(trx, {
      ...g,
      createdBy: caller.principal.actor,
      now: at,
      expiresAt,
    });
    await audit(
      trx,
      caller,
      {
        action: 'login-grant.create',
        target: `login-grant:${id}`,
        ...(g.teams?.length === 1 ? { team: g.teams[0] as string } : {}),
        details: { ...g, teams: g.teams ?? null, expiresAt },
      },
      at,
    );
    return id;
  });
  const row = await findLoginGrantById(s.db.kysely, id);
  return viewOf(row as LoginGrantRow);
}

/**
 * Login grants; a team-scoped admin sees only grants limited to its teams.
 * @throws AccessError AUTH_FORBIDDEN
 */
export async function listLoginGrantViews(s: Services, caller: Caller): Promise<LoginGrantView[]> {
  requirePermission(caller.principal, 'admin');
  const held = caller.principal.teams;
  return (await listLoginGrants(s.db.kysely))
    .map(viewOf)
    .filter((v) => held === undefined || (v.teams?.every((t) => held.includes(t)) ?? false));
}

/**
 * Revoke a grant and end the sessions it made. A team-scoped admin revokes only grants limited to
 * its teams, read inside the transaction that revokes.
 * @throws LoginError LOGIN_GRANT_NOT_FOUND; AccessError AUTH_FORBIDDEN, AUTH_TOKEN_INVALID
 */
export async function revokeLoginGrant(s: Services, caller: Caller, id: number): Promise<void> {
  requirePermission(caller.principal, 'admin');
  const at = s.clock().toISOString();
  await s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, at);
    const row = await findLoginGrantById(trx, id);
    const teams = row ? (JSON.parse(row.teams) as string[]) : [];
    if (row) requireWithinTeams(caller.principal, teams, 'revoke login grants');
    if (!row || !(await revokeGrantRow(trx, id, at)))
      throw new LoginError(
        'LOGIN_GRANT_NOT_FOUND',
        `login grant ${id} does not exist or is revoked already (custody login-grant list shows them)`,
      );
    const sessions = await revokeTokensCreatedBy(trx, grantActor(id), at);
    await audit(
      trx,
      caller,
      {
        action: 'login-grant.revoke',
        target: `login-grant:${id}`,
        ...(teams.length === 1 ? { team: teams[0] as string } : {}),
        details: { sessionsEnded: sessions },
      },
      at,
    );
  });
}

export function viewOf(r: LoginGrantRow): LoginGrantView {
  const teams = JSON.parse(r.teams) as string[];
  return {
    id: r.id,
    issuer: r.issuer,
    subject: r.subject,
    email: r.email,
    person: r.person,
    role: r.role,
    teams: teams.length === 0 ? null : teams,
    createdBy: r.created_by,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
  };
}

interface CheckedGrant {
  issuer: string;
  subject: string | null;
  email: string | null;
  person: string;
  role: Role;
  teams: string[] | undefined;
}

function checkRequest(req: LoginGrantRequest): CheckedGrant {
  const problems: string[] = [];
  const issuer = (req.issuer ?? '').trim().replace(/\/+$/, '');
  if (!/^https?:\/\/\S+$/.test(issuer) || issuer.length > 512)
    problems.push('issuer must be the provider’s issuer URL, as its ID tokens’ iss says it');
  const subject = req.subject?.trim() || null;
  const email = req.email?.trim().toLowerCase() || null;
  if ((subject === null) === (email === null))
    problems.push('name the identity by exactly one of subject (the ID token’s sub) or email');
  if (subject !== null && subject.length > 512) problems.push('subject is at most 512 characters');
  if (email !== null && !/^[^@\s]{1,200}@[^@\s]{1,200}$/.test(email))
    problems.push('email must be an email address');
  if (!isRole(req.role)) problems.push(`role must be one of ${ROLES.join(', ')}`);
  if (req.expiresInDays !== undefined && !(req.expiresInDays > 0 && req.expiresInDays <= 3650))
    problems.push('expiresInDays must be between 1 and 3650');
  if (problems.length > 0)
    throw new LoginError('LOGIN_GRANT_INVALID', problems.join('; '), { details: { problems } });
  const teams = req.teams && req.teams.length > 0 ? [...new Set(req.teams)] : undefined;
  for (const t of teams ?? []) checkTeamName(t);
  return {
    issuer,
    subject,
    email,
    person: checkPersonName(req.person),
    role: req.role as Role,
    teams,
  };
}
