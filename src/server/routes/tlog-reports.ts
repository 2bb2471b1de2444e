import type { FastifyInstance } from 'fastify';
import type { TlogReport } from '../../api/index.js';
import { listTlogReporters, recordTlogReport } from '../../app/tlog-follow/reporters.js';
import type { RouteDeps } from '../app.js';

const b64Hash = { type: 'string', pattern: '^[A-Za-z0-9+/]{43}=$' };

/** What log mirrors and monitors report (`custody log mirror|monitor --report-to`). */
export function registerTlogReportRoutes(app: FastifyInstance, d: RouteDeps): void {
  const s = d.services;

  app.post<{ Body: TlogReport }>(
    '/api/v1/tlog/reports',
    {
      config: { requires: 'audit:read', permission: 'audit:read' },
      schema: {
        summary:
          "A log mirror's or monitor's report after a round: the size it verified consistent, its root, and any inconsistency (auditor tokens are the least that may report)",
        tags: ['tlog'],
        body: {
          type: 'object',
          required: ['name', 'kind', 'origin', 'size', 'rootHash', 'verifiedAt'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[^\\s]+$' },
            kind: { type: 'string', enum: ['mirror', 'monitor'] },
            origin: { type: 'string', minLength: 1, maxLength: 255 },
            size: { type: 'integer', minimum: 0 },
            rootHash: b64Hash,
            verifiedAt: { type: 'string', maxLength: 40 },
            inconsistency: {
              type: 'object',
              required: ['code', 'message'],
              additionalProperties: false,
              properties: {
                code: { type: 'string', minLength: 1, maxLength: 100 },
                message: { type: 'string', maxLength: 2000 },
              },
            },
          },
        },
      },
    },
    async (req, reply) => reply.code(201).send(await recordTlogReport(s, req.caller, req.body)),
  );

  app.get(
    '/api/v1/tlog/reporters',
    {
      config: { requires: 'inventory:read', permission: 'inventory:read' },
      schema: {
        summary:
          'The mirrors and monitors that report to this service: the latest report of each, how far behind this log it is, and every inconsistency it reported',
        tags: ['tlog'],
      },
    },
    async (req) => listTlogReporters(s, req.caller),
  );
}
