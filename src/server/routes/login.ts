import type { FastifyInstance, FastifyReply } from 'fastify';
import { ROLES } from '../../access/index.js';
import type { LoginConfig } from '../../api/index.js';
import {
  addLoginGrant,
  type CallbackQuery,
  LOGIN_CALLBACK_PATH,
  LOGIN_OIDC_PATH,
  LoginError,
  type LoginGrantRequest,
  listLoginGrantViews,
  logout,
  type OidcLogin,
  revokeLoginGrant,
} from '../../app/login/index.js';
import { CustodyError } from '../../core/index.js';
import type { RouteDeps } from '../app.js';
import { statusOf } from '../errors.js';

export interface LoginRouteOptions {
  /** The OIDC login (app/login/openLogin); undefined: only API-token login. */
  oidc: OidcLogin | undefined;
}

/** The browser's half of a login in progress (its state), so no other browser can finish it. */
const STATE_COOKIE = 'custody_login_state';

/**
 * Dashboard login: the OIDC flow's two browser endpoints, the page's login configuration, logout,
 * and the admin API of login grants. The API-token login is the page's own: it calls whoami.
 */
export function registerLoginRoutes(
  app: FastifyInstance,
  d: RouteDeps,
  o: LoginRouteOptions,
): void {
  const s = d.services;
  const tags = ['login'];
  // Over https the cookie never travels in the clear; on a loopback http service it must.
  const secure = o.oidc?.publicUrl.startsWith('https:') ? '; Secure' : '';
  const notConfigured = () =>
    new LoginError(
      'LOGIN_NOT_CONFIGURED',
      'This service has no OIDC login: set CUSTODY_LOGIN_OIDC_ISSUER and CUSTODY_LOGIN_OIDC_CLIENT_ID (or run custody serve --dev-oidc on one machine), or log in with an API token',
    );

  app.get(
    '/api/v1/login/config',
    {
      config: { public: true },
      schema: { summary: 'How the dashboard offers login (OIDC, when configured)', tags },
    },
    async (): Promise<LoginConfig> => ({
      oidc: o.oidc ? { issuer: o.oidc.issuer, loginUrl: LOGIN_OIDC_PATH } : null,
    }),
  );

  app.get<{ Querystring: { login_hint?: string } }>(
    LOGIN_OIDC_PATH,
    {
      config: { public: true },
      schema: {
        summary: 'Start an OIDC login: redirects to the provider (authorization code with PKCE)',
        tags,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { login_hint: { type: 'string', maxLength: 256 } },
        },
      },
    },
    async (req, reply) => {
      if (!o.oidc) throw notConfigured();
      const hint = req.query.login_hint;
      const { location, state } = await o.oidc.begin(hint ? { loginHint: hint } : {});
      reply.header('cache-control', 'no-store');
      // Lax: the browser sends it on the provider's top-level redirect back, never on others'
      // requests; only the callback's path sees it.
      reply.header(
        'set-cookie',
        `${STATE_COOKIE}=${state}; Path=${LOGIN_CALLBACK_PATH}; Max-Age=600; HttpOnly; SameSite=Lax${secure}`,
      );
      return reply.redirect(location, 302);
    },
  );

  app.get<{ Querystring: CallbackQuery }>(
    LOGIN_CALLBACK_PATH,
    {
      config: { public: true },
      schema: {
        summary:
          'The provider sends the person back here; answers with a redirect to the dashboard carrying a session token in the URL fragment',
        tags,
        querystring: {
          type: 'object',
          properties: {
            code: { type: 'string', maxLength: 2048 },
            state: { type: 'string', maxLength: 256 },
            error: { type: 'string', maxLength: 256 },
            error_description: { type: 'string', maxLength: 1024 },
          },
        },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      reply.header(
        'set-cookie',
        `${STATE_COOKIE}=; Path=${LOGIN_CALLBACK_PATH}; Max-Age=0; HttpOnly; SameSite=Lax${secure}`,
      );
      try {
        if (!o.oidc) throw notConfigured();
        const browserState = cookie(req.headers.cookie, STATE_COOKIE);
        const session = await o.oidc.finish(req.query, browserState, req.ip);
        req.log.info({ session: session.id, person: session.person }, 'login session created');
        return reply.redirect(o.oidc.pageUrl(session), 303);
      } catch (e) {
        // A person is looking at this answer in a browser: a page that says what happened.
        if (!(e instanceof CustodyError) || !wantsHtml(req.headers.accept)) throw e;
        req.log.info({ code: e.code }, 'login refused');
        return errorPage(reply, e);
      }
    },
  );

  app.post(
    '/api/v1/logout',
    {
      schema: {
        summary:
          'End the caller’s login session (its token stops working); an API token is left as it is',
        tags,
      },
    },
    async (req) => {
      const r = await logout(s, req.caller);
      d.auth.forget();
      return r;
    },
  );

  app.get(
    '/api/v1/login-grants',
    {
      config: { requires: 'admin', permission: 'admin' },
      schema: {
        summary: 'Who may log in with OIDC, and as what; a team-scoped admin sees its teams’ only',
        tags,
      },
    },
    async (req) => ({ items: await listLoginGrantViews(s, req.caller) }),
  );

  app.post<{ Body: LoginGrantRequest }>(
    '/api/v1/login-grants',
    {
      config: { requires: 'admin', permission: 'admin' },
      schema: {
        summary: 'Let an OIDC identity (issuer and subject, or a verified email) log in',
        description:
          'A caller grants only what it holds: a team-scoped admin grants only teams of its own and roles within its own.',
        tags,
        body: {
          type: 'object',
          required: ['issuer', 'person', 'role'],
          additionalProperties: false,
          properties: {
            issuer: { type: 'string', minLength: 1, maxLength: 512 },
            subject: { type: 'string', minLength: 1, maxLength: 512 },
            email: { type: 'string', minLength: 3, maxLength: 320 },
            person: { type: 'string', minLength: 1, maxLength: 100 },
            role: { type: 'string', enum: [...ROLES] },
            teams: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 63 } },
            expiresInDays: { type: 'integer', minimum: 1, maximum: 3650 },
          },
        },
      },
    },
    async (req, reply) => reply.code(201).send(await addLoginGrant(s, req.caller, req.body)),
  );

  app.delete<{ Params: { id: number } }>(
    '/api/v1/login-grants/:id',
    {
      config: { requires: 'admin', permission: 'admin' },
      schema: {
        summary: 'Revoke a login grant and end the sessions it made',
        tags,
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'integer', minimum: 1 } },
        },
      },
    },
    async (req, reply) => {
      await revokeLoginGrant(s, req.caller, req.params.id);
      d.auth.forget();
      return reply.code(204).send();
    },
  );
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

function wantsHtml(accept: string | undefined): boolean {
  return accept !== undefined && /\btext\/html\b/.test(accept);
}

function errorPage(reply: FastifyReply, e: CustodyError): FastifyReply {
  const esc = (t: string) => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return reply
    .code(statusOf(e.code))
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', "default-src 'none'")
    .send(
      `<!doctype html><html lang="en"><meta charset="utf-8"><title>Login failed</title><main><h1>Login failed</h1><p><code>${esc(e.code)}</code></p><p>${esc(e.message)}</p><p><a href="/">Back to the dashboard</a></p></main></html>\n`,
    );
}
