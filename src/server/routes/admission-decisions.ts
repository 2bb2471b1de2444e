import type { FastifyInstance } from 'fastify';
import {
  type DecisionQuery,
  listDecisionViews,
  listDeploymentViews,
  listReconciliationViews,
  type ReconcileDeps,
  reconcileNow,
  wouldDenyReport,
} from '../../app/admission/records/index.js';
import type { RouteDeps } from '../app.js';

const str = (description: string, maxLength: number) =>
  ({ type: 'string', maxLength, description }) as const;

const page = {
  limit: str('Page size, 1–500 (default 100)', 4),
  cursor: str('nextCursor of the previous page', 16),
};

/**
 * The admission records: decisions, what they admitted, the would-deny report, and the
 * reconciliation of degraded decisions. Reads need an organisation-wide token (namespaces carry
 * no team); running reconciliation needs an organisation-wide admin.
 */
export function registerAdmissionDecisionRoutes(
  app: FastifyInstance,
  d: RouteDeps,
  o: { reconcile?: ReconcileDeps | undefined } = {},
): void {
  const s = d.services;
  app.get<{ Querystring: DecisionQuery }>(
    '/api/v1/admission/decisions',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'Admission decisions, newest first',
        description:
          'Every AdmissionReview and ImageReview answered: the mode that applied and where it came from, the answer, each image’s verdict (outcome, reason from the closed list, effect, exception, degraded mark, cached). Filters combine; pages are keyset (cursor). Organisation-wide tokens only: namespaces belong to no team in Custody.',
        tags: ['admission'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            namespace: str('Only this namespace', 253),
            cluster: str('Only this cluster', 253),
            allowed: { type: 'string', enum: ['true', 'false'] },
            reason: str('Only decisions with an image refused for this reason', 40),
            since: str('Decisions at or after this time (ISO 8601)', 40),
            ...page,
          },
        },
      },
    },
    async (req) => listDecisionViews(s, req.caller, req.query),
  );

  app.get<{
    Querystring: {
      cluster?: string;
      namespace?: string;
      digest?: string;
      limit?: string;
      cursor?: string;
    };
  }>(
    '/api/v1/admission/deployments',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'Digests admitted per cluster and namespace',
        description:
          'Recorded from identified clusters’ allowed, non-dry-run requests (an unidentified caller’s are not deployments), with the first and last time each was admitted. Admission sees pods start, not stop.',
        tags: ['admission'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            cluster: str('Only this cluster', 253),
            namespace: str('Only this namespace', 253),
            digest: str('Only this digest (sha256:…)', 71),
            ...page,
          },
        },
      },
    },
    async (req) => listDeploymentViews(s, req.caller, req.query),
  );

  app.get<{ Querystring: { days?: string; namespace?: string; top?: string } }>(
    '/api/v1/admission/report',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'The would-deny report: what enforce would have denied, per namespace',
        description:
          'Over the last `days` (default 7, at most 366), per namespace: decisions, how many of those taken in audit or warn enforce would have denied (an image failed a policy condition or could not be checked, unwaived), by reason, distinct images, the images most often refused, first and last seen. readyForEnforce: decisions ran unenforced and none would have been denied. Dry runs are left out.',
        tags: ['admission'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            days: str('Window in days, 1–366 (default 7)', 3),
            namespace: str('Only this namespace', 253),
            top: str('Images listed per namespace, 1–100 (default 10)', 3),
          },
        },
      },
    },
    async (req) => wouldDenyReport(s, req.caller, req.query),
  );

  app.get<{ Querystring: { result?: string; limit?: string; cursor?: string } }>(
    '/api/v1/admission/reconciliations',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'Reconciliation attempts of degraded decisions, newest first',
        description:
          'Each attempt re-checked a degraded decision’s images fresh: confirmed (they pass), overturned (one fails now: its reason is in detail), still-failing (an upstream is still down: tried again later). seconds: from the decision to the attempt.',
        tags: ['admission'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            result: { type: 'string', enum: ['confirmed', 'overturned', 'still-failing'] },
            ...page,
          },
        },
      },
    },
    async (req) => listReconciliationViews(s, req.caller, req.query),
  );

  app.post(
    '/api/v1/admission/reconcile',
    {
      config: { requires: 'admin', permission: 'admin' },
      schema: {
        summary: 'Reconcile degraded decisions now (organisation-wide admins)',
        description:
          'Runs one reconciliation pass at once instead of waiting for the periodic job; answers what it did. 503 ADMISSION_RECONCILE_UNAVAILABLE on a service that runs no admission engine.',
        tags: ['admission'],
      },
    },
    async (req) => {
      const run = await reconcileNow(s, req.caller, o.reconcile);
      d.metrics.admission.reconciled(run);
      return run;
    },
  );
}
