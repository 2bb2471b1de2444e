import type { FastifyInstance } from 'fastify';
import { diffReleases } from '../../app/inventory/diff-releases.js';
import { ingestSbom } from '../../app/inventory/ingest-sbom.js';
import { portfolioFigures } from '../../app/inventory/portfolio-figures.js';
import {
  listProductViews,
  productByName,
  releaseByVersion,
  releaseDetail,
  releasesOfProduct,
  sbomById,
} from '../../app/inventory/read-catalogue.js';
import { findComponentsJson, MAX_SEARCH_LIMIT } from '../../app/inventory/search-components.js';
import { patchRelease } from '../../app/inventory/update-release.js';
import { CustodyError, isCustodyError } from '../../core/index.js';
import type { ComponentQueryParams } from '../../inventory/index.js';
import type { RouteDeps } from '../app.js';

// Ids are digits only. As `integer`, Fastify's coercion took "1e0", "0x1" and "+1" as 1.
const id = { type: 'string', pattern: '^[1-9][0-9]{0,14}$' } as const;
const idParams = { type: 'object', required: ['id'], properties: { id } } as const;
/**
 * What POST /api/v1/sboms takes: the SBOM formats' own media types and the generic ones their
 * files are served as (`custody push` sends application/json, application/xml, text/spdx or
 * application/yaml by file extension). The format itself is read from the bytes.
 */
const SBOM_MEDIA_TYPES = [
  'application/vnd.cyclonedx+json',
  'application/spdx+json',
  'application/json',
  'application/vnd.cyclonedx+xml',
  'application/xml',
  'text/xml',
  'text/spdx',
  'text/plain',
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
] as const;
const SBOM_MEDIA_TYPE_SET: ReadonlySet<string> = new Set(SBOM_MEDIA_TYPES);

/** @throws CustodyError REQUEST_UNSUPPORTED_MEDIA_TYPE unless the header names an SBOM type */
function checkSbomMediaType(header: string | undefined): void {
  const type = (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (SBOM_MEDIA_TYPE_SET.has(type)) return;
  throw new CustodyError(
    'REQUEST_UNSUPPORTED_MEDIA_TYPE',
    `${type === '' ? 'No Content-Type was sent' : `Content-Type ${type.slice(0, 100)} is not an SBOM type`}; send the document with one of ${SBOM_MEDIA_TYPES.join(', ')}`,
  );
}

const str = (description: string, maxLength = 1000) =>
  ({ type: 'string', maxLength, description }) as const;

export function registerInventoryRoutes(app: FastifyInstance, d: RouteDeps): void {
  const s = d.services;

  app.register(async (scope) => {
    // SBOMs arrive as they are (JSON, XML, tag-value), so this route takes the body as bytes,
    // once its Content-Type has said it is an SBOM (checked before the body is read).
    scope.addHook('preParsing', async (req) => checkSbomMediaType(req.headers['content-type']));
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: d.maxSbomBytes },
      (_req, body, done) => done(null, body),
    );
    scope.post<{
      Querystring: {
        product: string;
        release: string;
        artifact?: string;
        team?: string;
        tag?: string;
        commit?: string;
        ticket?: string;
      };
    }>(
      '/api/v1/sboms',
      {
        config: { permission: 'inventory:write', requires: 'inventory:write' },
        schema: {
          summary: 'Push an SBOM',
          description:
            'Validate, score and gate an SBOM (CycloneDX JSON/XML, SPDX JSON/tag-value/YAML), then store it by digest under its product, release and artifact and index its components. The same document pushed twice is stored once (200 instead of 201). A new document for the same artifact becomes its next version; the old one is kept.',
          tags: ['inventory'],
          consumes: [...SBOM_MEDIA_TYPES],
          querystring: {
            type: 'object',
            required: ['product', 'release'],
            properties: {
              product: str('Product name; created on first push', 200),
              release: str('Release version; created on first push', 200),
              artifact: str(
                'sha256:<hex> of the artifact; default: the SBOM subject’s SHA-256',
                80,
              ),
              team: str('Team of a new product, when the token has several', 63),
              tag: str('VCS tag of a new release', 200),
              commit: str('VCS commit of a new release', 200),
              ticket: str('Change ticket (SOX / SOC 2) of a new release, e.g. CHG-123', 200),
            },
          },
        },
      },
      async (req, reply) => {
        const body = req.body as Buffer | undefined;
        if (!body || body.byteLength === 0) {
          d.metrics.ingests.inc({ outcome: 'rejected' });
          return reply.code(400).send({
            error: {
              code: 'SBOM_PARSE',
              message: 'The request body is empty; send the SBOM document as the body',
            },
          });
        }
        try {
          const q = req.query;
          const r = await ingestSbom(s, req.caller, {
            bytes: body,
            product: q.product,
            release: q.release,
            ...(q.artifact !== undefined ? { artifact: q.artifact } : {}),
            ...(q.team !== undefined ? { team: q.team } : {}),
            ...(q.tag !== undefined ? { tag: q.tag } : {}),
            ...(q.commit !== undefined ? { commit: q.commit } : {}),
            ...(q.ticket !== undefined ? { ticket: q.ticket } : {}),
          });
          d.metrics.ingests.inc({ outcome: r.created ? 'stored' : 'duplicate' });
          for (const m of r.obligationsMet) d.metrics.triggers.actionDone('sbom', m.seconds);
          return reply.code(r.created ? 201 : 200).send({
            created: r.created,
            sbom: r.sbom,
            quality: { score: r.quality.score, grade: r.quality.grade },
            gate: r.gate,
            followUps: r.followUps,
            validation: { warnings: r.validationWarnings },
            obligationsMet: r.obligationsMet.map((m) => ({
              event: m.eventId,
              action: m.actionId,
              late: m.late,
            })),
          });
        } catch (e) {
          if (isCustodyError(e)) d.metrics.ingests.inc({ outcome: 'rejected' });
          throw e;
        }
      },
    );
  });

  app.get<{ Params: { id: string } }>(
    '/api/v1/sboms/:id',
    {
      config: { requires: 'inventory:read' },
      schema: { summary: 'An SBOM’s record', tags: ['inventory'], params: idParams },
    },
    async (req) => (await sbomById(s, req.caller, Number(req.params.id))).view,
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/sboms/:id/document',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'An SBOM document, byte for byte as pushed',
        tags: ['inventory'],
        params: idParams,
      },
    },
    async (req, reply) => {
      const { view, document } = await sbomById(s, req.caller, Number(req.params.id));
      reply.header('content-type', view.mediaType);
      reply.header('etag', `"${view.digest}"`);
      reply.header(
        'digest',
        `sha-256=${Buffer.from(view.digest.slice(7), 'hex').toString('base64')}`,
      );
      return reply.send(document());
    },
  );

  app.get<{ Querystring: ComponentQueryParams }>(
    '/api/v1/components',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'Where do we ship X? Components across the portfolio',
        description:
          'Give exactly one of purl, name, hash, license. With purl or name, add version for an exact version or range (a vers range such as vers:npm/>=4.0.0|<4.17.21) for a range. Newest first, paginated with nextCursor.',
        tags: ['inventory'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            purl: str(
              'Package URL; with a version for an exact match, without one for every version',
            ),
            name: str('Component name (with version or range)', 500),
            version: str('Exact version', 200),
            range: str('vers range, e.g. vers:npm/>=4.0.0|<4.17.21'),
            ecosystem: str('purl type to narrow a name search (npm, pypi, …)', 50),
            hash: str('Hex digest, optionally prefixed: sha256:…', 200),
            license: str('SPDX licence id', 200),
            direct: {
              type: 'string',
              enum: ['true', 'false', '1', '0'],
              description: 'Only direct (true) or transitive (false) dependencies',
            },
            history: {
              type: 'string',
              enum: ['true', 'false', '1', '0'],
              description: 'Include superseded SBOM versions',
            },
            limit: {
              type: 'string',
              maxLength: 10,
              description: `Page size, 1–${MAX_SEARCH_LIMIT} (default 50)`,
            },
            cursor: str('nextCursor of the previous page', 200),
          },
        },
      },
    },
    // Cache-Control: no-cache asks for a search of the index itself, not a cached answer.
    async (req, reply) => {
      const body = await findComponentsJson(s, req.caller, req.query, {
        fresh: /no-cache/i.test(req.headers['cache-control'] ?? ''),
      });
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );

  app.get(
    '/api/v1/products',
    {
      config: { requires: 'inventory:read' },
      schema: { summary: 'Products the caller’s teams own', tags: ['inventory'] },
    },
    async (req) => ({ items: await listProductViews(s, req.caller) }),
  );

  app.get<{ Params: { name: string } }>(
    '/api/v1/products/:name',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'A product and its releases, newest first',
        tags: ['inventory'],
        params: {
          type: 'object',
          required: ['name'],
          properties: { name: str('Product name', 200) },
        },
      },
    },
    async (req) => {
      const p = await productByName(s, req.caller, req.params.name);
      return { ...p, releases: await releasesOfProduct(s, req.caller, p.id) };
    },
  );

  app.get<{ Params: { name: string; version: string } }>(
    '/api/v1/products/:name/releases/:version',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'A release by product name and version, with its artifacts and SBOMs',
        tags: ['inventory'],
        params: {
          type: 'object',
          required: ['name', 'version'],
          properties: { name: str('Product name', 200), version: str('Release version', 200) },
        },
      },
    },
    async (req) => {
      const r = await releaseByVersion(s, req.caller, req.params.name, req.params.version);
      return releaseDetail(s, req.caller, r.id);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/releases/:id',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'A release with its artifacts and SBOMs',
        tags: ['inventory'],
        params: idParams,
      },
    },
    async (req) => releaseDetail(s, req.caller, Number(req.params.id)),
  );

  app.patch<{
    Params: { id: string };
    Body: {
      deployed?: boolean;
      rebuiltAt?: string;
      tag?: string;
      commit?: string;
      ticket?: string;
    };
  }>(
    '/api/v1/releases/:id',
    {
      config: { requires: 'inventory:write', permission: 'inventory:write' },
      schema: {
        summary: 'Record a deployment, a rebuild, a tag, a commit or a change ticket',
        description:
          'rebuiltAt ("now" or an ISO 8601 time) marks every SBOM older than it as stale until a new one is pushed.',
        tags: ['inventory'],
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            deployed: { type: 'boolean' },
            rebuiltAt: { type: 'string', maxLength: 40 },
            tag: { type: 'string', maxLength: 200 },
            commit: { type: 'string', maxLength: 200 },
            ticket: { type: 'string', minLength: 1, maxLength: 200 },
          },
        },
      },
    },
    async (req) => patchRelease(s, req.caller, Number(req.params.id), req.body),
  );

  app.get<{ Params: { id: string }; Querystring: { against: string; format?: string } }>(
    '/api/v1/releases/:id/diff',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'The SBOM diff between two releases',
        description:
          'Components added, removed and changed going from release `against` to release `id`.',
        tags: ['inventory'],
        params: idParams,
        querystring: { type: 'object', required: ['against'], properties: { against: id } },
      },
    },
    async (req) => diffReleases(s, req.caller, Number(req.params.id), Number(req.query.against)),
  );

  app.get(
    '/api/v1/portfolio',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'Coverage, freshness and quality across the caller’s portfolio',
        tags: ['inventory'],
      },
    },
    async (req) => portfolioFigures(s, req.caller),
  );
}
