import type { FastifyInstance } from 'fastify';
import { ROLES } from '../../access/index.js';
import { auditTrail } from '../../app/audit-trail.js';
import {
  createTeam,
  setGatePolicy,
  setSigningIdentities,
} from '../../app/inventory/manage-teams.js';
import { listTeamViews } from '../../app/inventory/read-catalogue.js';
import { createToken, listTokenViews, revokeToken } from '../../app/tokens.js';
import type { RouteDeps } from '../app.js';

export function registerAdminRoutes(app: FastifyInstance, d: RouteDeps): void {
  const s = d.services;

  app.get(
    '/api/v1/teams',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'Teams the caller belongs to (every team for an organisation-wide token)',
        tags: ['admin'],
      },
    },
    async (req) => ({ items: await listTeamViews(s, req.caller) }),
  );

  app.post<{ Body: { name: string } }>(
    '/api/v1/teams',
    {
      config: { requires: 'admin', permission: 'admin' },
      schema: {
        summary: 'Create a team (organisation-wide admins only)',
        tags: ['admin'],
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { type: 'string', maxLength: 63 } },
        },
      },
    },
    async (req, reply) => {
      const r = await createTeam(s, req.caller, req.body.name);
      return reply.code(r.created ? 201 : 200).send(r.team);
    },
  );

  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain', 'application/json'],
      { parseAs: 'string', bodyLimit: 1024 * 1024 },
      (_req, body, done) => done(null, body),
    );
    scope.put<{ Params: { name: string } }>(
      '/api/v1/teams/:name/gate-policy',
      {
        config: { requires: 'admin', permission: 'admin' },
        schema: {
          summary: 'Set a team’s SBOM quality gate (a team-scoped admin: its own teams only)',
          description:
            'The YAML (or JSON) gate policy of `custody sbom check --policy`: minScore, require, allowLicenses, denyLicenses, maxAgeDays. `{}` gates nothing.',
          tags: ['admin'],
          consumes: ['application/yaml', 'application/json'],
          params: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string', maxLength: 63 } },
          },
        },
      },
      async (req) => setGatePolicy(s, req.caller, req.params.name, String(req.body ?? '')),
    );
  });

  app.put<{ Params: { name: string }; Body: { identities: unknown } }>(
    '/api/v1/teams/:name/signing-identities',
    {
      config: { requires: 'admin', permission: 'admin' },
      schema: {
        summary: 'Set who may sign for a team (organisation-wide admins only)',
        description:
          'A list of `{issuer, subject}` (subject: a regular expression over the whole certificate identity) and `{publicKey, name?}` (PEM). Emergency certificates, signed-SBOM intake and admission check signatures against it.',
        tags: ['admin'],
        params: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', maxLength: 63 } },
        },
        body: {
          type: 'object',
          required: ['identities'],
          additionalProperties: false,
          properties: { identities: { type: 'array', maxItems: 100 } },
        },
      },
    },
    async (req) => setSigningIdentities(s, req.caller, req.params.name, req.body.identities),
  );

  app.get(
    '/api/v1/tokens',
    {
      config: { requires: 'admin', permission: 'admin' },
      schema: {
        summary:
          'API tokens (never their secrets); a team-scoped admin sees its teams’ tokens only',
        tags: ['admin'],
      },
    },
    async (req) => ({ items: await listTokenViews(s, req.caller) }),
  );

  app.post<{
    Body: { role: string; person: string; teams?: string[]; name?: string; expiresInDays?: number };
  }>(
    '/api/v1/tokens',
    {
      config: { requires: 'admin', permission: 'admin' },
      schema: {
        summary: 'Create an API token; the secret is in this response only',
        description:
          'A caller grants only what it holds: a team-scoped admin creates tokens only for teams of its own (never organisation-wide) and only of roles within its own (not approver).',
        tags: ['admin'],
        body: {
          type: 'object',
          required: ['role', 'person'],
          additionalProperties: false,
          properties: {
            role: { type: 'string', enum: [...ROLES] },
            person: {
              type: 'string',
              minLength: 1,
              maxLength: 100,
              description:
                'The person the token belongs to (e.g. an email); decisions that need two people compare this, so give every token of one person the same name',
            },
            teams: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 63 } },
            name: { type: 'string', maxLength: 100 },
            expiresInDays: { type: 'integer', minimum: 1, maximum: 3650 },
          },
        },
      },
    },
    async (req, reply) => reply.code(201).send(await createToken(s, req.caller, req.body)),
  );

  app.delete<{ Params: { id: number } }>(
    '/api/v1/tokens/:id',
    {
      config: { requires: 'admin', permission: 'admin' },
      schema: {
        summary: 'Revoke a token (a team-scoped admin: only tokens limited to its teams)',
        tags: ['admin'],
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'integer', minimum: 1 } },
        },
      },
    },
    async (req, reply) => {
      await revokeToken(s, req.caller, req.params.id);
      d.auth.forget();
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: { limit?: number; cursor?: string; action?: string; since?: string } }>(
    '/api/v1/audit',
    {
      config: { requires: 'audit:read', permission: 'audit:read' },
      schema: {
        summary: 'The audit trail: every write, who, what, when, from where; newest first',
        tags: ['admin'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
            cursor: { type: 'string', maxLength: 100 },
            action: { type: 'string', maxLength: 100 },
            since: { type: 'string', maxLength: 40 },
          },
        },
      },
    },
    async (req) => auditTrail(s, req.caller, req.query),
  );
}
