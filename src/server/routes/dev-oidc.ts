import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AuthorizeQuery, TokenForm } from '../../app/ca/dev-oidc-codes.js';
import { DEV_OIDC_WARNING, type DevOidcIssuer } from '../../app/ca/index.js';

export interface DevOidcRouteDeps {
  devOidc: DevOidcIssuer;
}

/** Where the dev issuer is served; its `iss` is the server's base URL followed by this. */
export const DEV_OIDC_PREFIX = '/dev-oidc';

/**
 * The development OIDC issuer of `custody serve --dev-oidc` (register only then): discovery,
 * JWKS, a token endpoint that signs whatever subject it is given, and the authorization code
 * grant with PKCE the dashboard's login needs (an /authorize that asks nobody anything). Every answer carries a
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
  app.get<{ Querystring: AuthorizeQuery }>(
    `${DEV_OIDC_PREFIX}/authorize`,
    {
      config: { public: true },
      schema: {
        summary:
          'Development OIDC issuer: authorization endpoint; redirects straight back with a code for login_hint (or the dev admin identity)',
        tags,
        querystring: {
          type: 'object',
          properties: Object.fromEntries(
            [
              'response_type',
              'client_id',
              'redirect_uri',
              'state',
              'nonce',
              'code_challenge',
              'code_challenge_method',
              'login_hint',
              'scope',
            ].map((k) => [k, { type: 'string', maxLength: 2048 }]),
          ),
        },
      },
    },
    async (req, reply) => {
      reply.headers(warn);
      return reply.redirect(d.devOidc.codes.authorize(req.query), 302);
    },
  );
  // The token endpoint takes OAuth's form-encoded code exchange (RFC 6749 §4.1.3) besides the
  // JSON request for any subject; only this route parses forms.
  app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 16 * 1024 },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    scope.post(
      `${DEV_OIDC_PREFIX}/token`,
      {
        config: { public: true },
        schema: {
          summary:
            'Development OIDC issuer: an ID token for any subject, or for an authorization code (never use outside one machine)',
          tags,
          consumes: ['application/json', 'application/x-www-form-urlencoded'],
          body: {
            type: 'object',
            anyOf: [{ required: ['subject'] }, { required: ['grant_type'] }],
            properties: {
              subject: { type: 'string', minLength: 1, maxLength: 512 },
              audience: { type: 'string', maxLength: 256 },
              ttlSeconds: { type: 'integer', minimum: 1, maximum: 3600 },
              claims: { type: 'object' },
              grant_type: { type: 'string', maxLength: 100 },
              code: { type: 'string', maxLength: 256 },
              redirect_uri: { type: 'string', maxLength: 2048 },
              client_id: { type: 'string', maxLength: 256 },
              code_verifier: { type: 'string', maxLength: 256 },
            },
          },
        },
      },
      async (req, reply) => {
        reply.headers(warn);
        const b = req.body as DevTokenBody;
        if (b.grant_type !== undefined) {
          const r = d.devOidc.codes.exchange({ ...b, ...basicClient(req.headers.authorization) });
          if ('error' in r) return reply.code(400).send({ error: r.error });
          reply.header('cache-control', 'no-store');
          return {
            access_token: randomBytes(24).toString('base64url'),
            id_token: r.idToken,
            token_type: 'Bearer',
            expires_in: r.expiresIn,
          };
        }
        const t = d.devOidc.mintToken(b as DevTokenBody & { subject: string });
        return {
          id_token: t.idToken,
          token_type: 'Bearer',
          expires_in: t.expiresIn,
          warning: DEV_OIDC_WARNING,
        };
      },
    );
  });
}

/**
 * A confidential client names itself in HTTP Basic (RFC 6749 §2.3.1, form-encoded id and secret);
 * the dev issuer takes any secret, and only the id matters.
 */
function basicClient(h: string | undefined): { client_id?: string } {
  const m = h === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(h);
  if (!m) return {};
  const pair = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const at = pair.indexOf(':');
  return at < 0 ? {} : { client_id: decodeURIComponent(pair.slice(0, at)) };
}

type DevTokenBody = TokenForm & {
  subject?: string;
  audience?: string;
  ttlSeconds?: number;
  claims?: Record<string, unknown>;
};
