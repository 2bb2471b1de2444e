import type { FastifyInstance } from 'fastify';
import {
  type DashboardSearchQuery,
  type DashboardVulnerabilityQuery,
  dashboardOverview,
  dashboardRelease,
  dashboardSearch,
  dashboardVulnerabilities,
  listPortfolioReleases,
  type ReleaseComponentQuery,
  type ReleaseListQuery,
  releaseComponents,
  teamScorecards,
  topRiskContributors,
  type VexQueueQuery,
  vexQueue,
} from '../../app/dashboard/index.js';
import type { RouteDeps } from '../app.js';

const str = (description: string, maxLength: number) =>
  ({ type: 'string', maxLength, description }) as const;
const query = (properties: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  properties,
});
const idParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
} as const;
const page = {
  limit: str('Page size', 4),
  cursor: str('nextCursor of the previous page', 800),
};
const config = { requires: 'inventory:read' } as const;
const tags = ['dashboard'];

/**
 * The dashboard's reads (`/api/v1/dashboard/*`, shapes in src/api/dashboard.ts): every reader
 * role, in the caller's teams, paginated on an indexed key.
 */
export function registerDashboardRoutes(app: FastifyInstance, d: RouteDeps): void {
  const s = d.services;
  app.get(
    '/api/v1/dashboard/overview',
    {
      config,
      schema: {
        summary:
          'The portfolio at a glance: coverage, freshness, findings, VEX queue, admission, log',
        tags,
      },
    },
    async (req) => dashboardOverview(s, req.caller),
  );
  app.get<{ Querystring: ReleaseListQuery }>(
    '/api/v1/dashboard/releases',
    {
      config,
      schema: {
        summary: 'Releases with SBOM, signature and provenance coverage, SLSA level, freshness',
        description:
          'Newest first (sort=oldest, or product: by product name), keyset-paginated. team and product are exact names; q keeps products whose name contains it; deployed=true|false.',
        tags,
        querystring: query({
          ...page,
          team: str('Only this team', 200),
          product: str('Only this product', 200),
          q: str('Part of a product name', 200),
          sort: { type: 'string', enum: ['newest', 'oldest', 'product'] },
          deployed: { type: 'string', enum: ['true', 'false'] },
        }),
      },
    },
    async (req) => listPortfolioReleases(s, req.caller, req.query),
  );
  app.get<{ Querystring: DashboardSearchQuery }>(
    '/api/v1/dashboard/search',
    {
      config,
      schema: {
        summary: 'A purl, name@version, name or CVE/GHSA id → the releases that hold it',
        tags,
        querystring: query({ ...page, q: str('What to look for', 300) }),
      },
    },
    async (req) => dashboardSearch(s, req.caller, req.query),
  );
  app.get(
    '/api/v1/dashboard/scorecards',
    {
      config,
      schema: {
        summary: 'Per team: freshness within its SLA, signed and provenance coverage, findings',
        tags,
      },
    },
    async (req) => teamScorecards(s, req.caller),
  );
  app.get<{ Querystring: { limit?: string } }>(
    '/api/v1/dashboard/risk-contributors',
    {
      config,
      schema: {
        summary: 'Components ranked by open high and critical findings × deployed releases',
        tags,
        querystring: query({ limit: str('How many, 1–100 (default 20)', 3) }),
      },
    },
    async (req) => topRiskContributors(s, req.caller, req.query),
  );
  app.get<{ Querystring: DashboardVulnerabilityQuery }>(
    '/api/v1/dashboard/vulnerabilities',
    {
      config,
      schema: {
        summary:
          'Open advisories: severity, affected and deployed releases, VEX state, deadline (overdue first)',
        tags,
        querystring: query({
          ...page,
          severity: str(
            'Ratings, comma-separated: critical, high, medium, low, none, unknown',
            100,
          ),
        }),
      },
    },
    async (req) => dashboardVulnerabilities(s, req.caller, req.query),
  );
  app.get<{ Querystring: VexQueueQuery }>(
    '/api/v1/dashboard/vex-queue',
    {
      config,
      schema: {
        summary: 'Draft VEX statements awaiting a second person, earliest deadline first',
        tags,
        querystring: query(page),
      },
    },
    async (req) => vexQueue(s, req.caller, req.query),
  );
  app.get<{ Params: { id: number } }>(
    '/api/v1/dashboard/releases/:id',
    {
      config,
      schema: {
        summary:
          'One release: artifacts, SLSA, signatures (emergency marked), log entries with proofs',
        tags,
        params: idParam,
      },
    },
    async (req) => dashboardRelease(s, req.caller, req.params.id),
  );
  app.get<{ Params: { id: number }; Querystring: ReleaseComponentQuery }>(
    '/api/v1/dashboard/releases/:id/components',
    {
      config,
      schema: {
        summary: "A release's components with licences and hashes, searchable",
        tags,
        params: idParam,
        querystring: query({ ...page, q: str('Part of a name or purl', 200) }),
      },
    },
    async (req) => releaseComponents(s, req.caller, req.params.id, req.query),
  );
}
