import { createHash, randomBytes } from 'node:crypto';
import {
  AccessError,
  type Caller,
  isRole,
  type Principal,
  ROLES,
  type Role,
  requireGrantable,
  requirePermission,
  requireWithinTeams,
} from '../access/index.js';
import { InventoryError } from '../inventory/index.js';
import { ensureTeam } from '../store/catalogue.js';
import {
  countTokens,
  findTokenByHash,
  findTokenById,
  insertToken,
  listTokens,
  revokeToken as revokeRow,
} from '../store/tokens.js';
import { audit } from './audit-trail.js';
import { checkTeamName } from './inventory/manage-teams.js';
import { recheckCaller } from './recheck-caller.js';
import type { Services } from './services.js';

/** Tokens look like `cust_<43 base64url characters>`: 256 random bits, recognisable in logs and by secret scanners. */
const PREFIX = 'cust_';

export interface CreatedToken {
  id: number;
  /** The secret, shown once; only its hash is stored. */
  token: string;
  name: string;
  /** The person the token belongs to. */
  person: string;
  role: Role;
  teams: string[] | undefined;
  expiresAt: string | null;
}

export interface TokenRequest {
  role: string;
  teams?: readonly string[];
  name?: string;
  /**
   * The person the token belongs to; decisions that need two people compare this. The API and the
   * CLI require it; library callers that omit it get the token's name.
   */
  person?: string;
  expiresInDays?: number;
}

/** The caller that commands on the data directory act as (bootstrap: no token exists yet). */
export const CLI_CALLER: Caller = {
  principal: { actor: 'cli', person: 'cli', role: 'admin', teams: undefined },
  source: 'cli',
};

/**
 * Create an API token. Teams it names are created when missing, so one command sets up a team and
 * its first publisher. A caller grants only what it holds (`requireGrantable`): a team-scoped admin
 * creates tokens for its own teams only, of roles within its own, never organisation-wide.
 * @throws InventoryError INVENTORY_INPUT_INVALID; AccessError AUTH_FORBIDDEN, AUTH_TOKEN_INVALID
 */
export async function createToken(
  s: Services,
  caller: Caller,
  req: TokenRequest,
): Promise<CreatedToken> {
  requirePermission(caller.principal, 'admin');
  if (!isRole(req.role)) {
    throw new InventoryError('INVENTORY_INPUT_INVALID', `role must be one of ${ROLES.join(', ')}`, {
      details: { role: req.role },
    });
  }
  const teams = req.teams && req.teams.length > 0 ? [...new Set(req.teams)] : undefined;
  for (const t of teams ?? []) checkTeamName(t);
  if (req.expiresInDays !== undefined && !(req.expiresInDays > 0 && req.expiresInDays <= 3650)) {
    throw new InventoryError('INVENTORY_INPUT_INVALID', 'expiresInDays must be between 1 and 3650');
  }
  const now = s.clock();
  const expiresAt =
    req.expiresInDays === undefined
      ? null
      : new Date(now.getTime() + req.expiresInDays * 86_400_000).toISOString();
  const token = PREFIX + randomBytes(32).toString('base64url');
  const name = req.name?.slice(0, 100) || `${req.role}${teams ? `@${teams.join(',')}` : ''}`;
  const person = req.person === undefined ? name : checkPersonName(req.person);
  const at = now.toISOString();
  const role = req.role;
  const id = await s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, at);
    requireGrantable(caller.principal, { role, teams });
    for (const t of teams ?? []) await ensureTeam(trx, t, at);
    const id = await insertToken(trx, {
      name,
      person,
      secretHash: hashToken(token),
      role: req.role,
      teams,
      createdBy: caller.principal.actor,
      now: at,
      ...(expiresAt ? { expiresAt } : {}),
    });
    await audit(
      trx,
      caller,
      {
        action: 'token.create',
        target: `token:${id}`,
        // A token of one team is that team's business: its auditors and admins see it.
        ...(teams?.length === 1 ? { team: teams[0] as string } : {}),
        details: { name, person, role: req.role, teams: teams ?? null, expiresAt },
      },
      at,
    );
    return id;
  });
  return { id, token, name, person, role: req.role, teams, expiresAt };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control and bidi characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

/**
 * A person's name as tokens carry it: 1–100 printable characters, compared case-insensitively.
 * @throws InventoryError INVENTORY_INPUT_INVALID
 */
export function checkPersonName(person: string): string {
  const p = person.trim();
  if (p.length === 0 || p.length > 100 || UNPRINTABLE.test(p)) {
    throw new InventoryError(
      'INVENTORY_INPUT_INVALID',
      "person must name the token's owner: 1–100 printable characters, e.g. an email address",
      { details: { person } },
    );
  }
  return p;
}

/** On the first start: an admin token when there is no token at all, else nothing. */
export async function bootstrapAdminToken(s: Services): Promise<CreatedToken | undefined> {
  await ensureTeam(s.db.kysely, 'default', s.clock().toISOString());
  if ((await countTokens(s.db.kysely)) > 0) return undefined;
  return createToken(s, CLI_CALLER, {
    role: 'admin',
    name: 'bootstrap admin',
    person: 'bootstrap admin',
  });
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

interface Cached {
  principal: Principal | undefined;
  until: number;
}

/**
 * Resolves bearer tokens to principals. Lookups are cached for a few seconds, because every request
 * needs one; a revocation therefore takes effect within `ttlMs`.
 */
export class TokenAuthenticator {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly s: Services,
    private readonly ttlMs = 5_000,
  ) {}

  /** @throws AccessError AUTH_TOKEN_INVALID */
  async authenticate(token: string): Promise<Principal> {
    const hash = hashToken(token);
    const nowMs = this.s.clock().getTime();
    let hit = this.cache.get(hash);
    if (!hit || hit.until < nowMs) {
      hit = { principal: await this.lookup(hash, nowMs), until: nowMs + this.ttlMs };
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(hash, hit);
    }
    if (!hit.principal) {
      throw new AccessError(
        'AUTH_TOKEN_INVALID',
        'The token is unknown, expired or revoked; create a new one with custody token create',
      );
    }
    return hit.principal;
  }

  forget(): void {
    this.cache.clear();
  }

  private async lookup(hash: string, nowMs: number): Promise<Principal | undefined> {
    if (!hash) return undefined;
    const row = await findTokenByHash(this.s.db.read, hash);
    if (!row || row.revoked_at !== null) return undefined;
    if (row.expires_at !== null && Date.parse(row.expires_at) <= nowMs) return undefined;
    if (!isRole(row.role)) return undefined;
    const teams = JSON.parse(row.teams) as string[];
    return {
      actor: `token:${row.id}:${row.name}`,
      person: row.person,
      role: row.role,
      teams: teams.length === 0 ? undefined : teams,
    };
  }
}

export interface TokenView {
  id: number;
  name: string;
  person: string;
  role: string;
  teams: string[] | null;
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

/**
 * API tokens, never their secrets. A team-scoped admin sees only tokens limited to its teams (the
 * ones it may revoke); organisation-wide tokens and other teams' are not its business.
 * @throws AccessError AUTH_FORBIDDEN
 */
export async function listTokenViews(s: Services, caller: Caller): Promise<TokenView[]> {
  requirePermission(caller.principal, 'admin');
  const held = caller.principal.teams;
  return (await listTokens(s.db.kysely))
    .map((r) => {
      const teams = JSON.parse(r.teams) as string[];
      return {
        id: r.id,
        name: r.name,
        person: r.person,
        role: r.role,
        teams: teams.length === 0 ? null : teams,
        createdAt: r.created_at,
        createdBy: r.created_by,
        expiresAt: r.expires_at,
        revokedAt: r.revoked_at,
      };
    })
    .filter((v) => held === undefined || (v.teams?.every((t) => held.includes(t)) ?? false));
}

/**
 * Revoke a token. A team-scoped admin revokes only tokens limited to its own teams; the token's
 * teams are read inside the transaction that revokes it.
 * @throws InventoryError INVENTORY_NOT_FOUND; AccessError AUTH_FORBIDDEN, AUTH_TOKEN_INVALID
 */
export async function revokeToken(s: Services, caller: Caller, id: number): Promise<void> {
  requirePermission(caller.principal, 'admin');
  const at = s.clock().toISOString();
  await s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, at);
    const row = await findTokenById(trx, id);
    if (row) {
      const teams = JSON.parse(row.teams) as string[];
      requireWithinTeams(caller.principal, teams, 'revoke tokens');
    }
    if (!row || !(await revokeRow(trx, id, at))) {
      throw new InventoryError(
        'INVENTORY_NOT_FOUND',
        `token ${id} does not exist or is already revoked`,
      );
    }
    const teams = JSON.parse(row.teams) as string[];
    await audit(
      trx,
      caller,
      {
        action: 'token.revoke',
        target: `token:${id}`,
        ...(teams.length === 1 ? { team: teams[0] as string } : {}),
        details: {},
      },
      at,
    );
  });
}
