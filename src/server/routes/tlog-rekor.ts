import type { FastifyInstance } from 'fastify';
import { publicKeyPem } from '../../app/tlog/serve-log.js';
import {
  rekorAppendedEntry,
  rekorConsistencyProof,
  rekorEntryAtIndex,
  rekorEntryByUuid,
  rekorLogInfo,
  rekorRetrieveEntries,
} from '../../app/tlog/serve-rekor.js';
import type { TlogRouteContext } from './tlog.js';

/** The part of Rekor's v1 API that Sigstore clients use, under /api/v1/log/. */
export function registerTlogRekorRoutes(app: FastifyInstance, ctx: TlogRouteContext): void {
  const { face, appendConfig, limit, appendCounted, maxEntryBodyBytes } = ctx;
  app.get(
    '/api/v1/log',
    {
      config: { public: true },
      schema: { summary: 'Rekor: log info (tree size, root, signed tree head)', tags: ['rekor'] },
    },
    async () => rekorLogInfo(face),
  );

  app.get(
    '/api/v1/log/publicKey',
    {
      config: { public: true },
      schema: { summary: "Rekor: the log's public key (PEM)", tags: ['rekor'] },
    },
    async (_req, reply) => {
      reply.type('application/x-pem-file');
      return publicKeyPem(face);
    },
  );

  app.post(
    '/api/v1/log/entries',
    {
      config: appendConfig,
      bodyLimit: maxEntryBodyBytes,
      schema: {
        summary: 'Rekor: create a hashedrekord or dsse v0.0.1 entry',
        tags: ['rekor'],
        body: { type: 'object' },
      },
    },
    async (req, reply) => {
      limit(req, reply);
      const { appended, view } = await appendCounted(req.body);
      if (appended.duplicate) {
        // Rekor answers an existing entry with 409 and its location; clients fetch it from there.
        reply.code(409).header('location', `/api/v1/log/entries/${view.uuid}`);
        return { code: 409, message: 'an equivalent entry already exists in the transparency log' };
      }
      const { location, body } = await rekorAppendedEntry(face, appended, view);
      reply.code(201).header('location', location);
      return body;
    },
  );

  app.get(
    '/api/v1/log/entries',
    {
      config: { public: true },
      schema: {
        summary: 'Rekor: an entry by log index',
        tags: ['rekor'],
        querystring: {
          type: 'object',
          properties: { logIndex: { type: 'integer', minimum: 0 } },
          required: ['logIndex'],
        },
      },
    },
    async (req) => rekorEntryAtIndex(face, (req.query as { logIndex: number }).logIndex),
  );

  app.get(
    '/api/v1/log/entries/:uuid',
    {
      config: { public: true },
      schema: {
        summary: 'Rekor: an entry by UUID (64 or 80 hex digits)',
        tags: ['rekor'],
        params: {
          type: 'object',
          properties: { uuid: { type: 'string', maxLength: 100 } },
          required: ['uuid'],
        },
      },
    },
    async (req) => rekorEntryByUuid(face, (req.params as { uuid: string }).uuid),
  );

  app.post(
    '/api/v1/log/entries/retrieve',
    {
      config: { public: true },
      schema: {
        summary: 'Rekor: entries by UUIDs or log indexes',
        tags: ['rekor'],
        body: {
          type: 'object',
          properties: {
            entryUUIDs: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 10 },
            logIndexes: { type: 'array', items: { type: 'integer', minimum: 0 }, maxItems: 10 },
          },
        },
      },
    },
    async (req) =>
      rekorRetrieveEntries(face, req.body as { entryUUIDs?: string[]; logIndexes?: number[] }),
  );

  app.get(
    '/api/v1/log/proof',
    {
      config: { public: true },
      schema: {
        summary: 'Rekor: consistency proof between two tree sizes',
        tags: ['rekor'],
        querystring: {
          type: 'object',
          properties: {
            firstSize: { type: 'integer', minimum: 1, default: 1 },
            lastSize: { type: 'integer', minimum: 1 },
          },
          required: ['lastSize'],
        },
      },
    },
    async (req) => {
      const q = req.query as { firstSize: number; lastSize: number };
      return rekorConsistencyProof(face, q.firstSize, q.lastSize);
    },
  );
}
