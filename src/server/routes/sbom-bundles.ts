import type { FastifyInstance } from 'fastify';
import { attachSbomBundle } from '../../app/inventory/sign-sbom.js';
import type { RouteDeps } from '../app.js';

/**
 * `POST /api/v1/sboms/{id}/bundles`: a Sigstore bundle over a stored SBOM. The body is the bundle
 * JSON, kept byte for byte (it is stored content-addressed beside the SBOM).
 */
export function registerSbomBundleRoutes(
  app: FastifyInstance,
  d: RouteDeps,
  o: { trustedRoot?: (() => unknown) | undefined },
): void {
  const s = d.services;
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // A DSSE bundle carries the whole SBOM (base64) in its payload.
    scope.addContentTypeParser(
      /^application\/([a-z0-9.+-]+\+)?json$/,
      { parseAs: 'buffer', bodyLimit: Math.ceil((d.maxSbomBytes * 4) / 3) + 1024 * 1024 },
      (_req, body, done) => done(null, body),
    );
    scope.post<{ Params: { id: number } }>(
      '/api/v1/sboms/:id/bundles',
      {
        config: { permission: 'inventory:write', requires: 'inventory:write' },
        schema: {
          summary: 'Sign an SBOM: push a Sigstore bundle over it',
          description:
            "A bundle (v0.1–v0.3) with a message signature over the SBOM's bytes, or a DSSE in-toto attestation whose subject is the SBOM (or the artifact, with this SBOM as predicate). It must verify under the service's trusted root and be signed by one of the owning team's signing identities (a certificate issuer and subject, or a registered key). Custody logs it unless its own entry is in Custody's log, stores it beside the SBOM and marks the SBOM signed. The same bundle again answers 200.",
          tags: ['inventory'],
          consumes: ['application/json', 'application/vnd.dev.sigstore.bundle.v0.3+json'],
          params: {
            type: 'object',
            required: ['id'],
            properties: { id: { type: 'integer', minimum: 1 } },
          },
        },
      },
      async (req, reply) => {
        const body = req.body as Buffer | undefined;
        const r = await attachSbomBundle(s, req.caller, {
          sbomId: req.params.id,
          bytes: body ?? Buffer.alloc(0),
          ...(o.trustedRoot ? { trustedRoot: o.trustedRoot } : {}),
        });
        return reply.code(r.created ? 201 : 200).send(r);
      },
    );
  });
}
