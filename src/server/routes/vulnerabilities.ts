import type { FastifyInstance } from 'fastify';
import { ingestAdvisories } from '../../app/vulnerabilities/ingest-advisories.js';
import { ingestEpss, ingestKev } from '../../app/vulnerabilities/ingest-feeds.js';
import { listMatchProblems } from '../../app/vulnerabilities/match-problems.js';
import {
  listVulnerabilities,
  type VulnerabilityQuery,
  vulnerabilityDetail,
} from '../../app/vulnerabilities/read-vulnerabilities.js';
import { CustodyError } from '../../core/index.js';
import type { RouteDeps } from '../app.js';

const str = (description: string, maxLength: number) =>
  ({ type: 'string', maxLength, description }) as const;

/** @throws CustodyError REQUEST_UNSUPPORTED_MEDIA_TYPE unless the header names one of `types` */
function checkType(header: string | undefined, types: readonly string[]): void {
  const type = (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (types.includes(type)) return;
  throw new CustodyError(
    'REQUEST_UNSUPPORTED_MEDIA_TYPE',
    `${type === '' ? 'No Content-Type was sent' : `Content-Type ${type.slice(0, 100)} is not taken here`}; send ${types.join(' or ')}`,
  );
}

function bytesOf(body: unknown): Buffer {
  const b = body as Buffer | undefined;
  return b ?? Buffer.alloc(0);
}

/**
 * Advisories and vulnerabilities: `POST /api/v1/advisories` (OSV batches), `PUT
 * /api/v1/feeds/kev` and `/epss`, `GET /api/v1/vulnerabilities` and `/{id}`.
 */
export function registerVulnerabilityRoutes(app: FastifyInstance, d: RouteDeps): void {
  const s = d.services;

  app.register(async (scope) => {
    // Bodies are read as bytes and parsed by the use case, within the OSV/KEV/EPSS limits.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: d.maxSbomBytes },
      (_req, body, done) => done(null, body),
    );
    scope.post(
      '/api/v1/advisories',
      {
        config: { permission: 'inventory:write', requires: 'inventory:write' },
        schema: {
          summary: 'Ingest OSV advisories (a record or a JSON array of up to 5,000)',
          description:
            'All or nothing: when any record is malformed (OSV schema, an ecosystem the schema does not define, limits, an id twice) nothing is stored and details.refused lists every refused record. A new record is version 1; a changed one (other content, `modified` not older) becomes the next version with what changed, the previous kept; the same one is unchanged; an older `modified` is stale and not applied. New and changed advisories are then matched against the portfolio by a job (matchJob). Organisation-wide tokens only. 201 when something was created or updated, else 200.',
          tags: ['vulnerabilities'],
          consumes: ['application/json'],
        },
      },
      async (req, reply) => {
        checkType(req.headers['content-type'], ['application/json']);
        const r = await ingestAdvisories(s, req.caller, bytesOf(req.body));
        return reply.code(r.created + r.updated > 0 ? 201 : 200).send(r);
      },
    );
    scope.put(
      '/api/v1/feeds/kev',
      {
        config: { permission: 'inventory:write', requires: 'inventory:write' },
        schema: {
          summary: "Load CISA's KEV catalogue (replaces the one loaded)",
          description:
            'known_exploited_vulnerabilities.json as CISA publishes it, checked against its schema; a refused file changes nothing. Organisation-wide tokens only.',
          tags: ['vulnerabilities'],
          consumes: ['application/json'],
        },
      },
      async (req) => {
        checkType(req.headers['content-type'], ['application/json']);
        return ingestKev(s, req.caller, bytesOf(req.body));
      },
    );
    scope.put(
      '/api/v1/feeds/epss',
      {
        config: { permission: 'inventory:write', requires: 'inventory:write' },
        schema: {
          summary: "Load FIRST's EPSS scores (replaces the ones loaded)",
          description:
            'The EPSS CSV (`#model_version:…,score_date:…`, then `cve,epss,percentile`), unpacked; a refused file changes nothing. Organisation-wide tokens only.',
          tags: ['vulnerabilities'],
          consumes: ['text/csv', 'text/plain'],
        },
      },
      async (req) => {
        checkType(req.headers['content-type'], ['text/csv', 'text/plain']);
        return ingestEpss(s, req.caller, bytesOf(req.body));
      },
    );
  });

  app.get<{ Querystring: VulnerabilityQuery }>(
    '/api/v1/vulnerabilities',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'Advisories affecting your releases, with their findings',
        description:
          'In the caller’s teams, in advisory id order: each advisory with severity, KEV, EPSS and its affected releases (product, release, artifact, component, versions, first fixed version, opened and closed times). Open findings by default.',
        tags: ['vulnerabilities'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            severity: str(
              'Ratings, comma-separated: critical, high, medium, low, none, unknown',
              100,
            ),
            product: str('Only this product', 200),
            id: str('An advisory id or alias (CVE-…)', 200),
            state: { type: 'string', enum: ['open', 'closed', 'all'] },
            limit: str('Page size, 1–500 (default 50)', 4),
            cursor: str('nextCursor of the previous page', 200),
          },
        },
      },
    },
    async (req) => listVulnerabilities(s, req.caller, req.query),
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/vulnerabilities/:id',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'One advisory: history, KEV, EPSS, and every finding in your teams',
        tags: ['vulnerabilities'],
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: str('Advisory id or alias', 100) },
        },
      },
    },
    async (req) => vulnerabilityDetail(s, req.caller, req.params.id),
  );

  app.get<{ Querystring: { product: string; release?: string } }>(
    '/api/v1/match-problems',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary:
          "What the matcher could not judge in a product's current SBOMs: versions an advisory's rules cannot read, components without a version",
        description:
          'Such components have no finding either way (never matched by accident), so they are listed here to be looked at by a person.',
        tags: ['vulnerabilities'],
        querystring: {
          type: 'object',
          required: ['product'],
          additionalProperties: false,
          properties: {
            product: str('Product name', 200),
            release: str('Only this release (version)', 200),
          },
        },
      },
    },
    async (req) => listMatchProblems(s, req.caller, req.query.product, req.query.release),
  );
}
