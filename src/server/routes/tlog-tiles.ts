import type { FastifyInstance } from 'fastify';
import { readCheckpointNote, readTile } from '../../app/tlog/serve-log.js';
import type { TlogRouteContext } from './tlog.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** C2SP tlog-tiles under /tlog/: the checkpoint and immutable tiles, public. */
export function registerTlogTileRoutes(app: FastifyInstance, { face }: TlogRouteContext): void {
  app.get(
    '/tlog/checkpoint',
    {
      config: { public: true },
      schema: { summary: 'The newest signed checkpoint (C2SP tlog-checkpoint)', tags: ['tlog'] },
    },
    async (_req, reply) => {
      const note = await readCheckpointNote(face);
      reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache');
      return note;
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
      const body = await readTile(face, (req.params as Record<string, string>)['*'] ?? '');
      reply.type('application/octet-stream').header('cache-control', IMMUTABLE);
      return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    },
  );
}
