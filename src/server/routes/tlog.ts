import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appendRateLimited, isEntryRefusal } from '../../app/tlog/serve-log.js';
import type { LogFace } from '../../app/tlog/service.js';
import type { RouteDeps } from '../app.js';
import { RateLimiter } from '../rate-limit.js';
import { registerTlogApiRoutes } from './tlog-api.js';
import { registerTlogRekorRoutes } from './tlog-rekor.js';
import { registerTlogTileRoutes } from './tlog-tiles.js';

export interface TlogRouteOptions {
  /** Appends need a token with `tlog:append` (reads stay public). */
  requireToken: boolean;
  /** Appends a second per client address; 0 turns the limit off. */
  ratePerClient: number;
  /**
   * Largest proposed entry body, and so largest DSSE envelope (an envelope can be much bigger
   * than its leaf, which keeps only its hashes); CUSTODY_MAX_SBOM_BYTES by default.
   */
  maxEntryBodyBytes: number;
}

/** What the three groups of log routes share: the log, the append policy and its counting. */
export interface TlogRouteContext {
  face: LogFace;
  appendConfig: { requires: 'tlog:append'; permission: string } | { public: true };
  maxEntryBodyBytes: number;
  /** Refuse an append over the client's rate (429 with Retry-After). */
  limit(req: FastifyRequest, reply: FastifyReply): void;
  /** Check and append a proposed entry, counting the outcome. */
  appendCounted(body: unknown): ReturnType<LogFace['append']>;
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
  const limiter =
    o.ratePerClient > 0
      ? new RateLimiter(o.ratePerClient, Math.max(1, o.ratePerClient * 2))
      : undefined;
  const ctx: TlogRouteContext = {
    face,
    appendConfig: o.requireToken
      ? { requires: 'tlog:append' as const, permission: 'tlog:append' }
      : { public: true },
    maxEntryBodyBytes: o.maxEntryBodyBytes,
    limit(req, reply) {
      const wait = limiter?.take(req.ip) ?? 0;
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        throw appendRateLimited(req.ip, wait);
      }
    },
    async appendCounted(body) {
      try {
        const r = await face.append(body, { maxEnvelopeBytes: o.maxEntryBodyBytes });
        d.metrics.tlogAppends.inc({ outcome: r.appended.duplicate ? 'duplicate' : 'logged' });
        return r;
      } catch (e) {
        if (isEntryRefusal(e)) d.metrics.tlogAppends.inc({ outcome: 'refused' });
        throw e;
      }
    },
  };
  registerTlogTileRoutes(app, ctx);
  registerTlogApiRoutes(app, ctx);
  registerTlogRekorRoutes(app, ctx);
}
