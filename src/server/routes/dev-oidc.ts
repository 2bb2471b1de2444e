import type { FastifyInstance } from 'fastify';
import { DEV_OIDC_WARNING, type DevOidcIssuer } from '../../app/ca/index.js';

export interface DevOidcRouteDeps {
  devOidc: DevOidcIssuer;
}

/** Where the dev issuer is served; its `iss` is the server's base URL followed by this. */
export const DEV_OIDC_PREFIX = '/dev-oidc';

/**
 * The development OIDC issuer of `custody serve --dev-oidc` (register only then): discovery,
 * JWKS, and a token endpoint that signs whatever subject it is given. Every answer carries a
 * warning header, and the tokens say what they are.
 */
export function registerDevOidcRoutes(app: FastifyInstance, d: DevOidcRouteDeps): void {
  const tags = ['dev-oidc'];
  const warn = { 'x-custody-warning': DEV_OIDC_WARNING };
  app.get(
    `${DEV_OIDC_PREFIX}/.well-known/openid-configuration`,
    {
      config: { public: true },
      schema: { summary: 'Development OIDC issuer: discovery document', tags },
    },
    async (_req, reply) => {
      reply.headers(warn);
      return d.devOidc.discovery();
    },
  );
  app.get(
    `${DEV_OIDC_PREFIX}/jwks`,
    { config: { public: true }, schema: { summary: 'Development OIDC issuer: keys', tags } },
    async (_req, reply) => {
      reply.headers(warn);
      return d.devOidc.jwks();
    },
  );
  app.post(
    `${DEV_OIDC_PREFIX}/token`,
    {
      config: { public: true },
      schema: {
        summary:
          'Development OIDC issuer: an ID token for any subject (never use outside one machine)',
        tags,
        body: {
          type: 'object',
          required: ['subject'],
          properties: {
            subject: { type: 'string', minLength: 1, maxLength: 512 },
            audience: { type: 'string', maxLength: 256 },
            ttlSeconds: { type: 'integer', minimum: 1, maximum: 3600 },
            claims: { type: 'object' },
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body as {
        subject: string;
        audience?: string;
        ttlSeconds?: number;
        claims?: Record<string, unknown>;
      };
      const t = d.devOidc.mintToken(b);
      reply.headers(warn);
      return {
        id_token: t.idToken,
        token_type: 'Bearer',
        expires_in: t.expiresIn,
        warning: DEV_OIDC_WARNING,
      };
    },
  );
}
