import {
  type Caller,
  requireOrganisationAdmin,
  requirePermission,
  requireWithinTeams,
} from '../../access/index.js';
import { findTeam } from '../../store/catalogue.js';
import { replaceTeamWebhooks, teamWebhooks } from '../../store/trigger-events.js';
import { audit } from '../audit-trail.js';
import { notFound } from '../inventory/team-scope.js';
import { recheckCaller } from '../recheck-caller.js';
import type { Services } from '../services.js';
import { TriggerIntakeError } from './errors.js';

const MAX_WEBHOOKS = 10;
const MIN_SECRET = 16;

export interface NotificationSettings {
  team: string;
  /** Where notifications go; secrets are never shown again. */
  webhooks: { url: string }[];
  /** Whether inbound GitHub/GitLab webhooks of this team have a secret. */
  inboundSecret: boolean;
}

/**
 * Set where a team's notifications go: `{url, secret}` or `{webhooks: [{url, secret}, …]}`
 * (replacing the list; `[]` stops them). Each is signed with its secret (HMAC-SHA256). An
 * organisation-wide admin's setting, as signing identities are: a team admin pointing its
 * notifications elsewhere would hide alerts from the organisation.
 * @throws TriggerIntakeError NOTIFY_WEBHOOK_INVALID; AccessError AUTH_FORBIDDEN;
 *   InventoryError INVENTORY_NOT_FOUND
 */
export async function setTeamNotifications(
  s: Services,
  caller: Caller,
  team: string,
  input: unknown,
): Promise<NotificationSettings> {
  requirePermission(caller.principal, 'admin');
  requireOrganisationAdmin(caller.principal, "set a team's notification webhooks");
  const hooks = parseWebhooks(input);
  const at = s.clock().toISOString();
  await s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, at);
    const t = await findTeam(trx, team);
    if (!t) throw notFound(`team ${team}`);
    await replaceTeamWebhooks(trx, t.id, 'out', hooks, at);
    await audit(
      trx,
      caller,
      {
        action: 'team.notifications',
        target: `team:${team}`,
        team,
        details: { urls: hooks.map((h) => h.url) },
      },
      at,
    );
  });
  return teamNotifications(s, caller, team);
}

/**
 * Set the secret a team's inbound GitHub/GitLab webhooks are signed with
 * (`POST /api/v1/webhooks/github?team=<team>`); `null` removes it.
 */
export async function setInboundWebhookSecret(
  s: Services,
  caller: Caller,
  team: string,
  secret: string | null,
): Promise<NotificationSettings> {
  requirePermission(caller.principal, 'admin');
  requireOrganisationAdmin(caller.principal, "set a team's inbound webhook secret");
  if (secret !== null) checkSecret(secret, 'secret');
  const at = s.clock().toISOString();
  await s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, at);
    const t = await findTeam(trx, team);
    if (!t) throw notFound(`team ${team}`);
    await replaceTeamWebhooks(trx, t.id, 'in', secret === null ? [] : [{ url: null, secret }], at);
    await audit(
      trx,
      caller,
      {
        action: 'team.webhook-secret',
        target: `team:${team}`,
        team,
        details: { set: secret !== null },
      },
      at,
    );
  });
  return teamNotifications(s, caller, team);
}

/** A team's notification URLs (never the secrets). Admins, within their teams. */
export async function teamNotifications(
  s: Services,
  caller: Caller,
  team: string,
): Promise<NotificationSettings> {
  requirePermission(caller.principal, 'admin');
  requireWithinTeams(caller.principal, [team], "read a team's notification webhooks");
  const t = await findTeam(s.db.kysely, team);
  if (!t) throw notFound(`team ${team}`);
  const out = await teamWebhooks(s.db.kysely, t.id, 'out');
  const inbound = await teamWebhooks(s.db.kysely, t.id, 'in');
  return {
    team,
    webhooks: out.map((w) => ({ url: w.url as string })),
    inboundSecret: inbound.length > 0,
  };
}

function parseWebhooks(input: unknown): { url: string; secret: string }[] {
  const o = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const list = Array.isArray(o['webhooks']) ? (o['webhooks'] as unknown[]) : [o];
  if (list.length > MAX_WEBHOOKS) {
    throw new TriggerIntakeError(
      'NOTIFY_WEBHOOK_INVALID',
      `A team has at most ${MAX_WEBHOOKS} notification webhooks`,
    );
  }
  return list.map((h, i) => {
    const w = (typeof h === 'object' && h !== null ? h : {}) as Record<string, unknown>;
    const url = w['url'];
    const secret = w['secret'];
    if (typeof url !== 'string' || !isHttpUrl(url)) {
      throw new TriggerIntakeError(
        'NOTIFY_WEBHOOK_INVALID',
        `webhooks[${i}].url must be an http:// or https:// URL`,
      );
    }
    checkSecret(secret, `webhooks[${i}].secret`);
    return { url, secret: secret as string };
  });
}

function checkSecret(secret: unknown, where: string): void {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET || secret.length > 256) {
    throw new TriggerIntakeError(
      'NOTIFY_WEBHOOK_INVALID',
      `${where} must be a string of ${MIN_SECRET}–256 characters (e.g. openssl rand -hex 32)`,
    );
  }
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (
      (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && s.length <= 2000
    );
  } catch {
    return false;
  }
}
