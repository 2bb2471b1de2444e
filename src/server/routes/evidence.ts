import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type EvidenceSettings, exportEvidence, productRunbook } from '../../app/evidence/index.js';
import type { RouteDeps } from '../app.js';

const str = (description: string, maxLength = 1000) =>
  ({ type: 'string', maxLength, description }) as const;

/** What the evidence routes take from the server's configuration. */
export type EvidenceRouteOptions = Omit<EvidenceSettings, 'trustedRoot' | 'ca'>;

/**
 * An auditor's evidence tar of a release (the dashboard's export button) and a product's
 * runbook; readers in the product's team scope.
 */
export function registerEvidenceRoutes(
  app: FastifyInstance,
  d: RouteDeps,
  o: EvidenceSettings,
): void {
  const s = d.services;
  // Commands in the documents name the service as its clients reach it, unless configured.
  const settings = (req: FastifyRequest): EvidenceSettings => ({
    ...o,
    publicUrl: o.publicUrl ?? `${req.protocol}://${req.host}`,
  });

  app.get<{ Params: { name: string; version: string } }>(
    '/api/v1/products/:name/releases/:version/evidence',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary:
          "The release's evidence for auditors: a signed POSIX tar (manifest, SBOMs, bundles, log proofs, checkpoints, VEX, admission records, audit rows, narrative) that `custody evidence verify` checks offline",
        tags: ['evidence'],
        params: {
          type: 'object',
          required: ['name', 'version'],
          properties: { name: str('Product name', 200), version: str('Release version', 200) },
        },
      },
    },
    async (req, reply) => {
      const e = await exportEvidence(
        s,
        req.caller,
        req.params.name,
        req.params.version,
        settings(req),
      );
      reply.header('content-type', 'application/x-tar');
      reply.header('content-disposition', `attachment; filename="${e.filename}"`);
      return reply.send(Buffer.from(e.tar));
    },
  );

  app.get<{ Params: { name: string } }>(
    '/api/v1/products/:name/runbook',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary:
          "The product's runbook (markdown): its identities and issuers, verify commands for its newest release, impact queries, outage toggles, reconciliation, release-note instructions",
        tags: ['evidence'],
        params: {
          type: 'object',
          required: ['name'],
          properties: { name: str('Product name', 200) },
        },
      },
    },
    async (req, reply) => {
      const md = await productRunbook(s, req.caller, req.params.name, settings(req));
      reply.header('content-type', 'text/markdown; charset=utf-8');
      return reply.send(md);
    },
  );
}
