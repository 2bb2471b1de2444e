import type { FastifyInstance } from 'fastify';
import { anchorAuditHead } from '../../app/audit/anchor.js';
import { listAuditChain } from '../../app/audit/chain.js';
import { verifyAuditTrail } from '../../app/audit/verify.js';
import type { RouteDeps } from '../app.js';

/** The tamper-evident audit trail: its chain, its verification, anchoring its head in the log. */
export function registerAuditChainRoutes(app: FastifyInstance, d: RouteDeps): void {
  const s = d.services;

  app.get(
    '/api/v1/audit/verify',
    {
      config: { requires: 'audit:read', permission: 'audit:read' },
      schema: {
        summary:
          "Check the whole audit trail: every row's hash link from the genesis, the head, and each anchor against the transparency log (inclusion under checkpoints signed by the log key). Problems name rows by id only, so team-scoped auditors get the same report",
        tags: ['admin'],
      },
    },
    async () => verifyAuditTrail(s),
  );

  app.get<{ Querystring: { after?: number; limit?: number } }>(
    '/api/v1/audit/chain',
    {
      config: { requires: 'audit:read', permission: 'audit:read' },
      schema: {
        summary:
          "The audit trail's rows with their hash links, oldest first, from `after` (an id); a team-scoped auditor gets other teams' rows as links only",
        tags: ['admin'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            after: { type: 'integer', minimum: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 5000 },
          },
        },
      },
    },
    async (req) => listAuditChain(s, req.caller, req.query),
  );

  app.post(
    '/api/v1/audit/anchor',
    {
      config: { requires: 'admin', permission: 'admin' },
      schema: {
        summary:
          "Log the audit chain's head in the transparency log now (organisation-wide admins); nothing new is logged when it was anchored already",
        tags: ['admin'],
      },
    },
    async (req) => anchorAuditHead(s, req.caller),
  );
}
