import type { FastifyInstance } from 'fastify';
import {
  getEvent,
  getTeamSla,
  listEvents,
  overrideEvent,
  receiveEvent,
  receiveWebhook,
  scheduledReview,
  setInboundWebhookSecret,
  setTeamNotifications,
  setTeamSla,
  type TriggerRuntime,
  teamNotifications,
  type WebhookProvider,
} from '../../app/triggers/index.js';
import type { RouteDeps } from '../app.js';

const TEAM_PARAM = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', maxLength: 63 } },
} as const;
const ID_PARAM = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;

/**
 * Trigger intake: events by API and webhooks, their decisions and overrides; and where a team's
 * notifications go.
 */
export function registerEventRoutes(app: FastifyInstance, d: RouteDeps, rt: TriggerRuntime): void {
  app.post<{ Body: Record<string, unknown> }>(
    '/api/v1/events',
    {
      config: { requires: 'inventory:write', permission: 'inventory:write' },
      schema: {
        summary: 'Report a trigger event (generic JSON); stored with the decision taken on it',
        description:
          '`{kind, product, team?, id?, …}`: the trigger engine reads it. The same event twice (same `id` or `Idempotency-Key` header, or the same content) acts once: 201 for a new event, 200 with the first record for a repeat.',
        tags: ['triggers'],
        body: { type: 'object' },
      },
    },
    async (req, reply) => {
      const event = rt.engine.fromJson(req.body);
      const key = req.headers['idempotency-key'];
      const r = await receiveEvent(
        rt,
        req.caller,
        'api',
        event.deliveryId === undefined && typeof key === 'string' && key !== ''
          ? { ...event, deliveryId: key.slice(0, 200) }
          : event,
      );
      return reply.code(r.created ? 201 : 200).send(r.event);
    },
  );

  app.get<{
    Querystring: {
      kind?: string;
      product?: string;
      source?: string;
      since?: string;
      overdue?: boolean;
      limit?: number;
      cursor?: string;
    };
  }>(
    '/api/v1/events',
    {
      config: { requires: 'inventory:read', permission: 'inventory:read' },
      schema: {
        summary: "Trigger events in the caller's teams, newest first, with decisions and actions",
        tags: ['triggers'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            kind: { type: 'string', maxLength: 100 },
            product: { type: 'string', maxLength: 200 },
            source: { type: 'string', enum: ['api', 'github', 'gitlab', 'poller', 'matcher'] },
            since: { type: 'string', maxLength: 40 },
            overdue: {
              type: 'boolean',
              description:
                'Only events with an action past its deadline and not done (an SBOM obligation no push has met)',
            },
            limit: { type: 'integer', minimum: 1, maximum: 500 },
            cursor: { type: 'string', maxLength: 100 },
          },
        },
      },
    },
    async (req) => listEvents(rt, req.caller, req.query),
  );

  app.get<{ Querystring: { since: string } }>(
    '/api/v1/review',
    {
      config: { requires: 'inventory:read', permission: 'inventory:read' },
      schema: {
        summary:
          "The scheduled review (Pattern 3): changes since each product's last SBOM, new advisories, batched SBOM and VEX work",
        description:
          "Per product in the caller's teams: the events stored since its last SBOM and the releases whose SBOM obligation is unmet; the advisories ingested or changed since `since` with the products they affect; and the work: SBOMs to generate, VEX statements to draft or update.",
        tags: ['triggers'],
        querystring: {
          type: 'object',
          required: ['since'],
          additionalProperties: false,
          properties: { since: { type: 'string', maxLength: 40 } },
        },
      },
    },
    async (req) => scheduledReview(rt.s, req.caller, req.query.since),
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/events/:id',
    {
      config: { requires: 'inventory:read', permission: 'inventory:read' },
      schema: { summary: 'One trigger event', tags: ['triggers'], params: ID_PARAM },
    },
    async (req) => getEvent(rt, req.caller, req.params.id),
  );

  app.post<{
    Params: { id: number };
    Body: { target: string; mode: 'force' | 'skip'; reason: string; action?: string };
  }>(
    '/api/v1/events/:id/override',
    {
      config: {
        requires: 'inventory:read',
        permission: 'inventory:write (sbom and other targets) or decision:write (vex)',
      },
      schema: {
        summary: "Force or skip an event's action, with a reason (audited)",
        description:
          'A VEX action is an approver’s to force or skip; an SBOM obligation (or other operational action) the team’s publishers’.',
        tags: ['triggers'],
        params: ID_PARAM,
        body: {
          type: 'object',
          required: ['target', 'mode', 'reason'],
          additionalProperties: false,
          properties: {
            target: { type: 'string', minLength: 1, maxLength: 40 },
            mode: { type: 'string', enum: ['force', 'skip'] },
            reason: { type: 'string', minLength: 1, maxLength: 2000 },
            action: { type: 'string', minLength: 1, maxLength: 100 },
          },
        },
      },
    },
    async (req) => overrideEvent(rt, req.caller, req.params.id, req.body),
  );

  // Webhooks: no bearer token (GitHub and GitLab cannot send one); the signature over the raw
  // bytes is the credential, checked before the body is parsed.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    for (const provider of ['github', 'gitlab'] as const satisfies readonly WebhookProvider[]) {
      scope.post<{ Querystring: { team?: string }; Body: Buffer }>(
        `/api/v1/webhooks/${provider}`,
        {
          config: { public: true },
          schema: {
            summary: `A ${provider === 'github' ? 'GitHub' : 'GitLab'} webhook (push, tag, release), checked against the team's secret`,
            description:
              provider === 'github'
                ? 'Signed with X-Hub-Signature-256 (HMAC-SHA256 of the body); content type application/json. `?team=` picks the team whose secret signs it; without it, CUSTODY_WEBHOOK_SECRET.'
                : 'X-Gitlab-Token must be the secret. `?team=` picks the team whose secret it is; without it, CUSTODY_WEBHOOK_SECRET.',
            tags: ['triggers'],
            querystring: {
              type: 'object',
              additionalProperties: false,
              properties: { team: { type: 'string', maxLength: 63 } },
            },
          },
        },
        async (req, reply) => {
          const headers: Record<string, string | undefined> = {};
          for (const [k, v] of Object.entries(req.headers)) {
            headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
          }
          const r = await receiveWebhook(rt, {
            provider,
            team: req.query.team,
            headers,
            raw: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
            source: req.ip,
          });
          return reply.code(r.created > 0 ? 201 : 200).send({ items: r.events });
        },
      );
    }
  });

  app.get<{ Params: { name: string } }>(
    '/api/v1/teams/:name/sla',
    {
      config: { requires: 'inventory:read', permission: 'inventory:read' },
      schema: {
        summary:
          "A team's trigger deadlines: what it set (`overrides`) and every deadline in force (`effective`, seconds)",
        tags: ['triggers'],
        params: TEAM_PARAM,
      },
    },
    async (req) => getTeamSla(rt, req.caller, req.params.name),
  );

  app.put<{ Params: { name: string }; Body: unknown }>(
    '/api/v1/teams/:name/sla',
    {
      config: { requires: 'admin', permission: 'admin' },
      schema: {
        summary: "Set a team's trigger deadlines (admins of the team or organisation-wide)",
        description:
          '`{"release": {"within": "10m"}, "cveDraft": {"within": "24h", "alertAfter": "12h"}, …}` replaces the overrides (`{}`: the defaults). Names: cveDraft, privateDisclosure, exploit, workaround, analysis, release, hotfix, rebuild, lockfile, eol. Events already received keep their deadlines.',
        tags: ['triggers'],
        params: TEAM_PARAM,
        body: { type: 'object' },
      },
    },
    async (req) => setTeamSla(rt, req.caller, req.params.name, req.body),
  );

  app.get<{ Params: { name: string } }>(
    '/api/v1/teams/:name/notifications',
    {
      config: { requires: 'admin', permission: 'admin' },
      schema: {
        summary: "Where a team's notifications go (URLs only; secrets are never shown)",
        tags: ['admin'],
        params: TEAM_PARAM,
      },
    },
    async (req) => teamNotifications(d.services, req.caller, req.params.name),
  );

  app.put<{ Params: { name: string }; Body: unknown }>(
    '/api/v1/teams/:name/notifications',
    {
      config: { requires: 'admin', permission: 'admin' },
      schema: {
        summary: "Set a team's notification webhooks (organisation-wide admins only)",
        description:
          '`{url, secret}` or `{webhooks:[{url, secret}, …]}` (replaces the list; `[]` stops notifications). Each POST is signed: `X-Custody-Signature: sha256=<HMAC-SHA256 hex of the body>`, with `X-Custody-Delivery` and `X-Custody-Timestamp`.',
        tags: ['admin'],
        params: TEAM_PARAM,
        body: { type: 'object' },
      },
    },
    async (req) => setTeamNotifications(d.services, req.caller, req.params.name, req.body),
  );

  app.put<{ Params: { name: string }; Body: { secret: string | null } }>(
    '/api/v1/teams/:name/webhook-secret',
    {
      config: { requires: 'admin', permission: 'admin' },
      schema: {
        summary:
          "Set the secret of a team's inbound GitHub/GitLab webhooks (organisation-wide admins only)",
        tags: ['admin'],
        params: TEAM_PARAM,
        body: {
          type: 'object',
          required: ['secret'],
          additionalProperties: false,
          properties: { secret: { type: ['string', 'null'], maxLength: 256 } },
        },
      },
    },
    async (req) =>
      setInboundWebhookSecret(d.services, req.caller, req.params.name, req.body.secret),
  );
}
