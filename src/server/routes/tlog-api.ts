import type { FastifyInstance } from 'fastify';
import {
  describeLog,
  entryAtIndex,
  listCheckpoints,
  proveConsistency,
  proveInclusion,
  searchEntries,
} from '../../app/tlog/serve-log.js';
import type { TlogRouteContext } from './tlog.js';

/** Custody's own API of the log under /api/v1/tlog/: append, entries, proofs, checkpoints. */
export function registerTlogApiRoutes(app: FastifyInstance, ctx: TlogRouteContext): void {
  const { face, appendConfig, limit, appendCounted, maxEntryBodyBytes } = ctx;
  app.get(
    '/api/v1/tlog',
    {
      config: { public: true },
      schema: {
        summary: 'The log: origin, size, root, signed checkpoint, verifier key, public key',
        tags: ['tlog'],
      },
    },
    async () => describeLog(face),
  );

  app.post(
    '/api/v1/tlog/entries',
    {
      config: appendConfig,
      bodyLimit: maxEntryBodyBytes,
      schema: {
        summary:
          'Append a signed entry (hashedrekord, dsse, sbom, vex, attestation); answers once it is durable',
        tags: ['tlog'],
        body: { type: 'object' },
      },
    },
    async (req, reply) => {
      limit(req, reply);
      const { appended, view } = await appendCounted(req.body);
      reply.code(appended.duplicate ? 200 : 201);
      return view;
    },
  );

  app.get(
    '/api/v1/tlog/entries/:index',
    {
      config: { public: true },
      schema: {
        summary: 'An entry by index, with an inclusion proof under the newest checkpoint',
        tags: ['tlog'],
        params: {
          type: 'object',
          properties: { index: { type: 'integer', minimum: 0 } },
          required: ['index'],
        },
      },
    },
    async (req) => entryAtIndex(face, (req.params as { index: number }).index),
  );

  app.get(
    '/api/v1/tlog/entries',
    {
      config: { public: true },
      schema: {
        summary: 'Find entries by leaf hash (or Rekor UUID) or by subject digest',
        tags: ['tlog'],
        querystring: {
          type: 'object',
          properties: {
            leafHash: { type: 'string', maxLength: 100 },
            subject: { type: 'string', maxLength: 200 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
      },
    },
    async (req) =>
      searchEntries(face, req.query as { leafHash?: string; subject?: string; limit: number }),
  );

  app.get(
    '/api/v1/tlog/proof/inclusion',
    {
      config: { public: true },
      schema: {
        summary:
          'Inclusion proof of an entry (by index or leaf hash) in the tree of a published size',
        tags: ['tlog'],
        querystring: {
          type: 'object',
          properties: {
            index: { type: 'integer', minimum: 0 },
            leafHash: { type: 'string', maxLength: 100 },
            size: { type: 'integer', minimum: 1 },
          },
        },
      },
    },
    async (req) =>
      proveInclusion(face, req.query as { index?: number; leafHash?: string; size?: number }),
  );

  app.get(
    '/api/v1/tlog/proof/consistency',
    {
      config: { public: true },
      schema: {
        summary: 'Consistency proof between two published tree sizes',
        tags: ['tlog'],
        querystring: {
          type: 'object',
          properties: {
            from: { type: 'integer', minimum: 1 },
            to: { type: 'integer', minimum: 1 },
          },
          required: ['from'],
        },
      },
    },
    async (req) => proveConsistency(face, req.query as { from: number; to?: number }),
  );

  app.get(
    '/api/v1/tlog/checkpoints',
    {
      config: { public: true },
      schema: {
        summary: "Every signed checkpoint from a size or a time on (an auditor's archive)",
        tags: ['tlog'],
        querystring: {
          type: 'object',
          properties: {
            sinceSize: { type: 'integer', minimum: 0 },
            since: { type: 'string', format: 'date-time' },
            limit: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 },
          },
        },
      },
    },
    async (req) =>
      listCheckpoints(face, req.query as { sinceSize?: number; since?: string; limit: number }),
  );
}
