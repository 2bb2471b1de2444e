import type { Caller } from '../../access/index.js';
import { findTeam } from '../../store/catalogue.js';
import { teamWebhooks } from '../../store/trigger-events.js';
import { verifyGithubSignature, verifyGitlabToken } from '../../triggers/index.js';
import { TriggerIntakeError } from './errors.js';
import { type EventView, receiveEvent } from './intake.js';
import type { IntakeEvent, WebhookHeaders } from './ports.js';
import type { TriggerRuntime } from './runtime.js';

export type WebhookProvider = 'github' | 'gitlab';

export interface WebhookDelivery {
  provider: WebhookProvider;
  /** `?team=`: whose secret signs it, and whose events these are; absent: the service's secret. */
  team?: string | undefined;
  /** Lower-case names. */
  headers: WebhookHeaders;
  /** The body exactly as it arrived: the signature is over these bytes. */
  raw: Uint8Array;
  /** The client address, for the audit trail. */
  source: string;
}

/**
 * Take a GitHub or GitLab webhook. The signature is checked first, over the raw bytes, before
 * anything reads them: a delivery that fails it is refused and leaves no trace but a log line.
 * GitHub signs with `X-Hub-Signature-256: sha256=<HMAC-SHA256 hex>`; GitLab sends the shared
 * secret itself in `X-Gitlab-Token` (compared in constant time).
 * @throws TriggerIntakeError WEBHOOK_NOT_CONFIGURED, TriggerError WEBHOOK_SIGNATURE_INVALID (both 401),
 *   EVENT_INVALID (not JSON); the engine's coded errors
 */
export async function receiveWebhook(
  rt: TriggerRuntime,
  d: WebhookDelivery,
): Promise<{ events: EventView[]; created: number }> {
  const secret = await secretFor(rt, d.team);
  verifyDelivery(d, secret);
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(d.raw).toString('utf8'));
  } catch {
    throw new TriggerIntakeError('EVENT_INVALID', 'The webhook body is not JSON');
  }
  const parsed: IntakeEvent[] =
    d.provider === 'github'
      ? rt.engine.fromGithub(d.headers, body)
      : rt.engine.fromGitlab(d.headers, body);
  const delivery =
    d.provider === 'github'
      ? d.headers['x-github-delivery']
      : (d.headers['x-gitlab-event-uuid'] ?? d.headers['idempotency-key']);
  const caller: Caller = {
    principal: {
      actor: `webhook:${d.provider}`,
      person: `webhook:${d.provider}`,
      role: 'publisher',
      teams: d.team === undefined ? undefined : [d.team],
    },
    source: d.source,
  };
  const events: EventView[] = [];
  let created = 0;
  for (const [i, e] of parsed.entries()) {
    const id = e.deliveryId ?? (delivery ? `${delivery}#${i}` : undefined);
    const r = await receiveEvent(rt, caller, d.provider, {
      ...e,
      ...(id !== undefined ? { deliveryId: id } : {}),
      ...(e.team === undefined && d.team !== undefined ? { team: d.team } : {}),
    });
    events.push(r.event);
    if (r.created) created++;
  }
  return { events, created };
}

async function secretFor(rt: TriggerRuntime, team: string | undefined): Promise<string> {
  if (team === undefined) {
    if (rt.webhookSecret !== undefined) return rt.webhookSecret;
  } else {
    const t = await findTeam(rt.s.db.kysely, team);
    const row = t ? (await teamWebhooks(rt.s.db.kysely, t.id, 'in'))[0] : undefined;
    if (row) return row.secret;
  }
  throw new TriggerIntakeError(
    'WEBHOOK_NOT_CONFIGURED',
    team === undefined
      ? 'No webhook secret is configured: set CUSTODY_WEBHOOK_SECRET, or add ?team=<team> and set its secret (PUT /api/v1/teams/{name}/webhook-secret)'
      : `No webhook secret is set for team ${team}: PUT /api/v1/teams/{name}/webhook-secret`,
  );
}

/** @throws TriggerError WEBHOOK_SIGNATURE_INVALID */
export function verifyDelivery(
  d: Pick<WebhookDelivery, 'provider' | 'headers' | 'raw'>,
  secret: string,
): void {
  // The triggers domain's checks: constant-time, over the raw bytes, before anything parses them.
  if (d.provider === 'github')
    verifyGithubSignature(d.raw, d.headers['x-hub-signature-256'], secret);
  else verifyGitlabToken(d.headers['x-gitlab-token'], secret);
}
