import type { FastifyInstance } from 'fastify';
import { requireOrganisationWide, requirePermission } from '../../access/index.js';
import { databaseHealth } from '../../app/health.js';
import { sessionView } from '../../app/login/index.js';
import type { RouteDeps } from '../app.js';
import type { OpenApiCollector } from '../openapi.js';

export function registerSystemRoutes(
  app: FastifyInstance,
  d: RouteDeps & { openapi: OpenApiCollector },
): void {
  // Anyone may ask, so it says only whether the service works and which kind of database it
  // runs on: no paths, versions or addresses an attacker could use.
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        summary: 'Liveness and database reachability: ok or unavailable, and the database kind',
        tags: ['system'],
      },
    },
    async (_req, reply) => {
      const db = await databaseHealth(d.services);
      if (db.reachable) return { status: 'ok', database: db.dialect };
      return reply.code(503).send({ status: 'unavailable', database: db.dialect });
    },
  );

  let doc: unknown;
  app.get(
    '/openapi.json',
    { schema: { summary: 'This API as an OpenAPI 3.1 document', tags: ['system'] } },
    async () => {
      doc ??= d.openapi.document();
      return doc;
    },
  );

  app.get(
    '/metrics',
    {
      config: { permission: 'inventory:read (organisation-wide token)' },
      schema: {
        summary:
          'Prometheus metrics: requests, latency, ingests, coverage, freshness, quality, index size',
        tags: ['system'],
      },
    },
    async (req, reply) => {
      requirePermission(req.caller.principal, 'inventory:read');
      requireOrganisationWide(
        req.caller.principal,
        'Metrics cover every team; scrape them with a token that has no --team',
      );
      reply.header('content-type', d.metrics.registry.contentType);
      return d.metrics.registry.metrics();
    },
  );

  app.get(
    '/api/v1/whoami',
    {
      schema: {
        summary:
          'The caller as the service sees it (SessionView): person, role, teams and when its session ends',
        tags: ['system'],
      },
    },
    async (req) => sessionView(d.services, req.caller),
  );
}
