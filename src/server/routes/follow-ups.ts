import type { FastifyInstance } from 'fastify';
import { type FollowUpQuery, listFollowUpViews } from '../../app/inventory/follow-ups.js';
import type { RouteDeps } from '../app.js';

const str = (description: string, maxLength: number) =>
  ({ type: 'string', maxLength, description }) as const;

/** `GET /api/v1/follow-ups`: the gate's warnings kept for follow-up, with age and SLA. */
export function registerFollowUpRoutes(app: FastifyInstance, d: RouteDeps): void {
  app.get<{ Querystring: FollowUpQuery }>(
    '/api/v1/follow-ups',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'Gate warnings kept for follow-up, with their age and SLA',
        description:
          'One item per SBOM, component and warn-tier check (e.g. a missing licence), in the caller’s teams, newest first. Open ones by default; state=overdue lists those past their SLA (the team gate’s followUpSlaDays, default 30), state=all includes resolved ones. An item still present in the artifact’s next SBOM keeps its age.',
        tags: ['inventory'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { type: 'string', enum: ['open', 'overdue', 'all'] },
            product: str('Only this product', 200),
            sbom: str('Only this SBOM id', 12),
            check: str('Only this check id, e.g. licensing.valid-spdx', 100),
            limit: str('Page size, 1–1000 (default 100)', 4),
            cursor: str('nextCursor of the previous page', 12),
          },
        },
      },
    },
    async (req) => listFollowUpViews(d.services, req.caller, req.query),
  );
}
