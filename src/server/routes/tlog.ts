import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseLeafHash } from '../../app/tlog/service.js';
import { TlogError } from '../../tlog/errors.js';
import { formatLogInfo } from '../../tlog/rekor.js';
import { parseTilePath } from '../../tlog/tiles.js';
import type { RouteDeps } from '../app.js';
import { RateLimiter } from '../rate-limit.js';

export interface TlogRouteOptions {
  /** Appends need a token with `tlog:append` (reads stay public). */
  requireToken: boolean;
  /** Appends a second per client address; 0 turns the limit off. */
  ratePerClient: number;
  /** Largest proposed entry body (an envelope can be much bigger than its leaf). */
  maxEntryBodyBytes: number;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function notFound(what: string): TlogError {
  return new TlogError('TLOG_ENTRY_NOT_FOUND', `${what} is not in the log.`);
}

/**
 * The transparency log over HTTP: C2SP tlog-tiles under /tlog/, Custody's API under
 * /api/v1/tlog/, and the part of Rekor's v1 API that Sigstore clients use under /api/v1/log/.
 * Reads are public, as in Rekor; appends are public unless the deployment asks for a token (an
 * entry's credential is its own valid signature), and rate-limited per client.
 */
export function registerTlogRoutes(app: FastifyInstance, d: RouteDeps, o: TlogRouteOptions): void {
  const face = d.services.tlog;
  if (face === undefined) return;
  const log = face.log;
  const limiter =
    o.ratePerClient > 0
      ? new RateLimiter(o.ratePerClient, Math.max(1, o.ratePerClient * 2))
      : undefined;
  const appendConfig = o.requireToken
    ? { requires: 'tlog:append' as const, permission: 'tlog:append' }
    : { public: true };

  const limit = (req: FastifyRequest, reply: FastifyReply): void => {
    const wait = limiter?.take(req.ip) ?? 0;
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      throw new TlogError(
        'TLOG_RATE_LIMITED',
        `Too many appends from ${req.ip}; retry after ${wait} s.`,
        { details: { retryAfter: wait } },
      );
    }
  };
  const appendCounted = async (body: unknown) => {
    try {
      const r = await face.append(body);
      d.metrics.tlogAppends.inc({ outcome: r.appended.duplicate ? 'duplicate' : 'logged' });
      return r;
    } catch (e) {
      if (e instanceof TlogError) d.metrics.tlogAppends.inc({ outcome: 'refused' });
      throw e;
    }
  };
  const fresh = async (): Promise<void> => {
    await log.refresh();
  };

  // --- C2SP tlog-tiles ---------------------------------------------------------------------------

  app.get(
    '/tlog/checkpoint',
    {
      config: { public: true },
      schema: { summary: 'The newest signed checkpoint (C2SP tlog-checkpoint)', tags: ['tlog'] },
    },
    async (_req, reply) => {
      await fresh();
      reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache');
      return log.checkpoint().note;
    },
  );

  app.get(
    '/tlog/tile/*',
    {
      config: { public: true },
      schema: {
        summary: 'A hash tile or entry bundle (C2SP tlog-tiles), immutable once served',
        tags: ['tlog'],
      },
    },
    async (req, reply) => {
      const rest = (req.params as Record<string, string>)['*'] ?? '';
      const ref = parseTilePath(`tile/${rest}`);
      let body: Uint8Array | undefined;
      if (ref.kind === 'hash') {
        body = log.hashTile(ref.level, ref.index, ref.width);
        if (body === undefined) {
          await fresh();
          body = log.hashTile(ref.level, ref.index, ref.width);
        }
      } else {
        body = await log.entryBundle(ref.index, ref.width);
      }
      if (body === undefined)
        throw new TlogError('TLOG_ENTRY_NOT_FOUND', `The log has no tile ${rest} (yet).`);
      reply.type('application/octet-stream').header('cache-control', IMMUTABLE);
      return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    },
  );

  // --- Custody's API -------------------------------------------------------------------------------

  app.get(
    '/api/v1/tlog',
    {
      config: { public: true },
      schema: {
        summary: 'The log: origin, size, root, signed checkpoint, verifier key, public key',
        tags: ['tlog'],
      },
    },
    async () => {
      await fresh();
      const cp = log.checkpoint();
      return {
        origin: log.origin,
        size: cp.size,
        rootHash: b64(cp.rootHash),
        checkpoint: cp.note,
        vkey: log.vkey,
        keyType: log.keyType,
        publicKey: log.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
        logId: hex(face.logId),
        trustedRootTlog: face.trustedRootEntry(new Date(0)),
      };
    },
  );

  app.post(
    '/api/v1/tlog/entries',
    {
      config: appendConfig,
      bodyLimit: o.maxEntryBodyBytes,
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
    async (req) => {
      const { index } = req.params as { index: number };
      await fresh();
      const row = await log.entryAt(index);
      if (row === undefined) throw notFound(`Entry ${index}`);
      return face.view(row);
    },
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
    async (req) => {
      const q = req.query as { leafHash?: string; subject?: string; limit: number };
      await fresh();
      if (q.leafHash !== undefined) {
        const row = await log.entryByLeafHash(parseLeafHash(q.leafHash));
        return { entries: row === undefined ? [] : [face.view(row)] };
      }
      if (q.subject !== undefined) {
        const rows = await log.entriesBySubject(q.subject.trim().toLowerCase(), q.limit);
        return { entries: rows.map((r) => face.view(r)) };
      }
      throw new TlogError(
        'TLOG_ENTRY_MALFORMED',
        'Give leafHash=<hex> or subject=sha256:<hex>; to read entries in order, use /api/v1/tlog/entries/{index} or the entry tiles.',
      );
    },
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
    async (req) => {
      const q = req.query as { index?: number; leafHash?: string; size?: number };
      await fresh();
      let index = q.index;
      if (index === undefined) {
        if (q.leafHash === undefined)
          throw new TlogError('TLOG_ENTRY_MALFORMED', 'Give index=<n> or leafHash=<hex>.');
        const row = await log.entryByLeafHash(parseLeafHash(q.leafHash));
        if (row === undefined) throw notFound(`Leaf ${q.leafHash}`);
        index = row.idx;
      }
      const size = q.size ?? log.size;
      const proof = log.inclusionProof(index, size);
      // The checkpoint signed at that size when a batch ended there; otherwise the newest one,
      // which a client ties to this root with a consistency proof.
      const signed = (await log.checkpointAt(size)) ?? log.checkpoint();
      return {
        index,
        treeSize: size,
        rootHash: b64(log.rootAt(size)),
        hashes: proof.map(b64),
        checkpoint: signed.note,
        ...(signed.size === size ? { tlogProof: face.tlogProof(index, signed) } : {}),
      };
    },
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
    async (req) => {
      const q = req.query as { from: number; to?: number };
      await fresh();
      const to = q.to ?? log.size;
      return {
        size1: q.from,
        size2: to,
        root1: b64(log.rootAt(q.from)),
        root2: b64(log.rootAt(to)),
        hashes: log.consistencyProof(q.from, to).map(b64),
        checkpoint: log.checkpoint().note,
      };
    },
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
    async (req) => {
      const q = req.query as { sinceSize?: number; since?: string; limit: number };
      const rows = await log.checkpointsSince(
        {
          ...(q.sinceSize !== undefined ? { size: q.sinceSize } : {}),
          ...(q.since !== undefined ? { at: new Date(q.since).toISOString() } : {}),
        },
        q.limit,
      );
      return {
        origin: log.origin,
        vkey: log.vkey,
        checkpoints: rows.map((c) => ({ size: c.size, rootHash: b64(c.rootHash), note: c.note })),
      };
    },
  );

  // --- Rekor v1 (the subset Sigstore clients use) ------------------------------------------------

  app.get(
    '/api/v1/log',
    {
      config: { public: true },
      schema: { summary: 'Rekor: log info (tree size, root, signed tree head)', tags: ['rekor'] },
    },
    async () => {
      await fresh();
      const cp = log.checkpoint();
      return formatLogInfo({
        rootHash: cp.rootHash,
        treeSize: cp.size,
        signedTreeHead: cp.note,
        treeId: face.treeId,
      });
    },
  );

  app.get(
    '/api/v1/log/publicKey',
    {
      config: { public: true },
      schema: { summary: "Rekor: the log's public key (PEM)", tags: ['rekor'] },
    },
    async (_req, reply) => {
      reply.type('application/x-pem-file');
      return log.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    },
  );

  app.post(
    '/api/v1/log/entries',
    {
      config: appendConfig,
      bodyLimit: o.maxEntryBodyBytes,
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
      const row = await log.entryAt(appended.index);
      if (row === undefined) throw notFound(`Entry ${appended.index}`);
      reply.code(201).header('location', `/api/v1/log/entries/${view.uuid}`);
      return face.rekorView(row, appended.checkpoint);
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
    async (req) => {
      const { logIndex } = req.query as { logIndex: number };
      await fresh();
      const row = await log.entryAt(logIndex);
      if (row === undefined) throw notFound(`Entry ${logIndex}`);
      return face.rekorView(row);
    },
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
    async (req) => {
      const { uuid } = req.params as { uuid: string };
      await fresh();
      const row = await log.entryByLeafHash(parseLeafHash(uuid));
      if (row === undefined) throw notFound(`Entry ${uuid}`);
      return face.rekorView(row);
    },
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
    async (req) => {
      const b = req.body as { entryUUIDs?: string[]; logIndexes?: number[] };
      await fresh();
      const out: unknown[] = [];
      for (const u of b.entryUUIDs ?? []) {
        const row = await log.entryByLeafHash(parseLeafHash(u));
        if (row !== undefined) out.push(face.rekorView(row));
      }
      for (const i of b.logIndexes ?? []) {
        const row = await log.entryAt(i);
        if (row !== undefined) out.push(face.rekorView(row));
      }
      return out;
    },
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
      await fresh();
      return {
        rootHash: hex(log.rootAt(q.lastSize)),
        hashes: log.consistencyProof(q.firstSize, q.lastSize).map(hex),
      };
    },
  );
}
