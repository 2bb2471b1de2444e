import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEV_LOGIN_SUBJECT } from '../../src/app/ca/index.js';
import { createOidcLogin, LoginError } from '../../src/app/login/index.js';
import { createOidcProviderClient } from '../../src/net/oidc-provider.js';
import { expectCustodyErrorAsync } from '../helpers/expect-error.js';
import { call, errorCode, type TestServer } from '../helpers/server.js';
import { BACKENDS, hop, type LoginServer, logIn, startLoginServer } from './flow.js';

/** What a refused login must leave unchanged: no token, no grant, no audit entry. */
async function counts(srv: TestServer): Promise<{ tokens: number; grants: number; audit: number }> {
  const db = srv.services.db.kysely;
  const n = async (t: 'tokens' | 'login_grants' | 'audit_events') =>
    Number(
      (
        await db
          .selectFrom(t)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    tokens: await n('tokens'),
    grants: await n('login_grants'),
    audit: await n('audit_events'),
  };
}

for (const backend of BACKENDS) {
  describe(`dashboard login with the dev OIDC issuer (${backend})`, () => {
    let ls: LoginServer;
    let srv: TestServer;
    const issuer = () => `${srv.base}/dev-oidc`;

    before(async () => {
      ls = await startLoginServer(backend);
      srv = ls.srv;
      const g = await call(srv, 'POST', '/api/v1/login-grants', {
        token: ls.admin,
        body: {
          issuer: issuer(),
          email: 'Pat@Example.com',
          person: 'Pat',
          role: 'publisher',
          teams: ['alpha'],
        },
      });
      assert.equal(g.status, 201, g.text);
    });
    after(() => srv.close());

    it('tells the page that OIDC login is offered, without a token', async () => {
      const a = await call(srv, 'GET', '/api/v1/login/config');
      assert.equal(a.status, 200);
      assert.deepEqual(a.json, { oidc: { issuer: issuer(), loginUrl: '/login/oidc' } });
      const doc = await call(srv, 'GET', '/openapi.json', { token: ls.admin });
      for (const path of ['/login/oidc', '/login/oidc/callback', '/dev-oidc/authorize'])
        assert.ok(doc.json.paths[path]?.get, path);
      assert.ok(doc.json.paths['/dev-oidc/token']?.post);
    });

    it('sends the browser to the provider with state, nonce and an S256 PKCE challenge', async () => {
      const start = await hop(`${srv.base}/login/oidc`);
      assert.equal(start.status, 302);
      const u = new URL(start.location as string);
      assert.equal(`${u.origin}${u.pathname}`, `${issuer()}/authorize`);
      const q = u.searchParams;
      assert.equal(q.get('response_type'), 'code');
      assert.equal(q.get('client_id'), 'custody-dashboard');
      assert.equal(q.get('redirect_uri'), `${srv.base}/login/oidc/callback`);
      assert.equal(q.get('code_challenge_method'), 'S256');
      assert.match(q.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.match(q.get('state') ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.match(q.get('nonce') ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.match(q.get('scope') ?? '', /\bopenid\b/);
    });

    it('logs the dev identity in as the first admin token’s person, automatically granted', async () => {
      const before = await counts(srv);
      const l = await logIn(srv);
      assert.equal(l.answer.status, 303, l.answer.text);
      assert.ok(l.answer.location?.startsWith(`${srv.base}/#login=cust_`), l.answer.location ?? '');
      assert.equal(l.authorize.searchParams.get('login_hint'), null);
      const me = await call(srv, 'GET', '/api/v1/whoami', { token: l.token as string });
      assert.equal(me.status, 200, me.text);
      assert.equal(me.json.person, 'Ada Admin');
      assert.equal(me.json.role, 'admin');
      assert.equal(me.json.teams, null);
      assert.match(me.json.actor, /^token:\d+:login:Ada Admin$/);
      const after = await counts(srv);
      assert.equal(after.tokens, before.tokens + 1);
      assert.equal(after.audit, before.audit + 1);
      const trail = await call(srv, 'GET', '/api/v1/audit?action=login.session', {
        token: ls.admin,
      });
      const entry = trail.json.items[0];
      assert.equal(entry.person, 'Ada Admin');
      assert.equal(entry.details.subject, DEV_LOGIN_SUBJECT);
      assert.equal(entry.details.dev, true);
      assert.doesNotMatch(trail.text, /cust_/);
    });

    it('maps a granted email to its person, role and teams, for the session’s lifetime', async () => {
      const l = await logIn(srv, { hint: 'pat@example.com' });
      assert.equal(l.answer.status, 303, l.answer.text);
      const me = await call(srv, 'GET', '/api/v1/whoami', { token: l.token as string });
      assert.equal(me.status, 200);
      assert.equal(me.json.person, 'Pat');
      assert.equal(me.json.role, 'publisher');
      assert.deepEqual(me.json.teams, ['alpha']);
      const ttl = Date.parse(me.json.expiresAt) - Date.now();
      assert.ok(ttl > 8 * 3600_000 - 60_000 && ttl <= 8 * 3600_000, String(ttl));
      // The session is a token like the others: an admin sees it, named after its person.
      const tokens = await call(srv, 'GET', '/api/v1/tokens', { token: ls.admin });
      const row = tokens.json.items.find((t: { name: string }) => t.name === 'login:Pat');
      assert.equal(row.expiresAt, me.json.expiresAt);
      assert.match(row.createdBy, /^login-grant:\d+$/);
      // Team scope holds: the session sees its own team only.
      const teams = await call(srv, 'GET', '/api/v1/teams', { token: l.token as string });
      assert.deepEqual(
        teams.json.items.map((t: { name: string }) => t.name),
        ['alpha'],
      );
      const api = await call(srv, 'GET', '/api/v1/whoami', { token: ls.admin });
      assert.equal(api.json.expiresAt, null);
    });

    it('logout ends the session at once; an API token is left as it is', async () => {
      const l = await logIn(srv, { hint: 'pat@example.com' });
      const token = l.token as string;
      assert.equal((await call(srv, 'GET', '/api/v1/whoami', { token })).status, 200);
      const out = await call(srv, 'POST', '/api/v1/logout', { token });
      assert.equal(out.status, 200, out.text);
      assert.deepEqual(out.json, { revoked: true });
      const gone = await call(srv, 'GET', '/api/v1/whoami', { token });
      assert.equal(gone.status, 401);
      assert.equal(errorCode(gone), 'AUTH_TOKEN_INVALID');
      const api = await call(srv, 'POST', '/api/v1/logout', { token: ls.admin });
      assert.deepEqual(api.json, { revoked: false });
      assert.equal((await call(srv, 'GET', '/api/v1/whoami', { token: ls.admin })).status, 200);
    });

    it('refuses a callback whose state this service did not start, and creates nothing', async () => {
      const before = await counts(srv);
      const l = await logIn(srv, {
        hint: 'pat@example.com',
        tamperCallback: (u) => u.searchParams.set('state', 'x'.repeat(43)),
      });
      assert.equal(l.answer.status, 400, l.answer.text);
      assert.equal(l.answer.json.error.code, 'LOGIN_STATE_INVALID');
      const none = await hop(`${srv.base}/login/oidc/callback?code=abc`);
      assert.equal(none.json.error.code, 'LOGIN_STATE_INVALID');
      assert.deepEqual(await counts(srv), before);
    });

    it('refuses a callback in a browser that did not start the login (login CSRF)', async () => {
      const before = await counts(srv);
      // Someone else's login, finished in this browser: its state cookie is not there.
      const l = await logIn(srv, { hint: 'pat@example.com', cookie: false });
      assert.equal(l.answer.status, 400, l.answer.text);
      assert.equal(l.answer.json.error.code, 'LOGIN_STATE_INVALID');
      const other = await logIn(srv, { hint: 'pat@example.com', cookie: 'y'.repeat(43) });
      assert.equal(other.answer.json.error.code, 'LOGIN_STATE_INVALID');
      assert.deepEqual(await counts(srv), before);
    });

    it('refuses a login that took longer than ten minutes to come back', async () => {
      const before = await counts(srv);
      const l = await logIn(srv, {
        hint: 'pat@example.com',
        // The provider's answer arrives late, by the service's clock.
        tamperCallback: () => ls.advance(10 * 60_000 + 1000),
      });
      ls.advance(-(10 * 60_000 + 1000));
      assert.equal(l.answer.status, 400, l.answer.text);
      assert.equal(l.answer.json.error.code, 'LOGIN_STATE_INVALID');
      assert.deepEqual(await counts(srv), before);
    });

    it('refuses a replayed callback and a replayed code, and creates nothing', async () => {
      const first = await logIn(srv, { hint: 'pat@example.com' });
      assert.equal(first.answer.status, 303);
      const before = await counts(srv);
      const again = await hop(first.callback.href, { cookie: first.cookie as string });
      assert.equal(again.status, 400);
      assert.equal(again.json.error.code, 'LOGIN_STATE_INVALID');
      // A fresh login's state with the old code: the provider refuses the code (used, and
      // the PKCE verifier is another login's).
      const code = first.callback.searchParams.get('code') as string;
      const replay = await logIn(srv, {
        hint: 'pat@example.com',
        tamperCallback: (u) => u.searchParams.set('code', code),
      });
      assert.equal(replay.answer.status, 400, replay.answer.text);
      assert.equal(replay.answer.json.error.code, 'LOGIN_CODE_REFUSED');
      assert.deepEqual(await counts(srv), before);
    });

    it('refuses an ID token with another login’s nonce, and creates nothing', async () => {
      const before = await counts(srv);
      const l = await logIn(srv, {
        hint: 'pat@example.com',
        tamperAuthorize: (u) => u.searchParams.set('nonce', 'n'.repeat(43)),
      });
      assert.equal(l.answer.status, 400, l.answer.text);
      assert.equal(l.answer.json.error.code, 'LOGIN_NONCE_MISMATCH');
      assert.deepEqual(await counts(srv), before);
    });

    it('refuses a PKCE challenge the verifier does not answer, and creates nothing', async () => {
      const before = await counts(srv);
      const l = await logIn(srv, {
        hint: 'pat@example.com',
        tamperAuthorize: (u) => u.searchParams.set('code_challenge', 'c'.repeat(43)),
      });
      assert.equal(l.answer.status, 400, l.answer.text);
      assert.equal(l.answer.json.error.code, 'LOGIN_CODE_REFUSED');
      assert.deepEqual(await counts(srv), before);
    });

    it('refuses an identity without a grant, with a page a person can read', async () => {
      const before = await counts(srv);
      const l = await logIn(srv, { hint: 'nobody@example.com' });
      assert.equal(l.answer.status, 403, l.answer.text);
      assert.equal(l.answer.json.error.code, 'LOGIN_NOT_GRANTED');
      assert.match(l.answer.json.error.message, /custody login-grant add/);
      const page = await logIn(srv, {
        hint: 'nobody@example.com',
        headers: { accept: 'text/html,application/xhtml+xml' },
      });
      assert.equal(page.answer.status, 403);
      assert.match(page.answer.text, /<h1>Login failed<\/h1>/);
      assert.match(page.answer.text, /LOGIN_NOT_GRANTED/);
      assert.deepEqual(await counts(srv), before);
    });

    it('refuses an identity whose grant has expired or been revoked', async () => {
      // A grant made two days ago for one day.
      ls.advance(-2 * 86_400_000);
      const old = await call(srv, 'POST', '/api/v1/login-grants', {
        token: ls.admin,
        body: {
          issuer: issuer(),
          subject: 'old@example.com',
          person: 'Old',
          role: 'viewer',
          expiresInDays: 1,
        },
      });
      ls.advance(2 * 86_400_000);
      assert.equal(old.status, 201, old.text);
      const before = await counts(srv);
      const l = await logIn(srv, { hint: 'old@example.com' });
      assert.equal(l.answer.status, 403, l.answer.text);
      assert.equal(l.answer.json.error.code, 'LOGIN_NOT_GRANTED');
      assert.deepEqual(await counts(srv), before);
    });

    it('revoking a grant ends the sessions it made', async () => {
      const g = await call(srv, 'POST', '/api/v1/login-grants', {
        token: ls.admin,
        body: { issuer: issuer(), subject: 'rev@example.com', person: 'Rev', role: 'viewer' },
      });
      const l = await logIn(srv, { hint: 'rev@example.com' });
      const token = l.token as string;
      assert.equal((await call(srv, 'GET', '/api/v1/whoami', { token })).status, 200);
      const del = await call(srv, 'DELETE', `/api/v1/login-grants/${g.json.id}`, {
        token: ls.admin,
      });
      assert.equal(del.status, 204, del.text);
      assert.equal((await call(srv, 'GET', '/api/v1/whoami', { token })).status, 401);
      const again = await logIn(srv, { hint: 'rev@example.com' });
      assert.equal(again.answer.json.error.code, 'LOGIN_NOT_GRANTED');
    });

    it('refuses an ID token issued for another audience, and creates nothing', async () => {
      // A provider that answers the code exchange with a token for another client: the real
      // provider client, whose answer is swapped for a dev token with another `aud`.
      const real = createOidcProviderClient();
      let nonce = '';
      const login = createOidcLogin(srv.services, {
        issuer: issuer(),
        clientId: 'custody-dashboard',
        clientSecret: undefined,
        publicUrl: srv.base,
        sessionTtlSeconds: 3600,
        provider: {
          discover: (i) => real.discover(i),
          exchangeCode: async (x) => {
            await real.exchangeCode(x);
            return srv.keyless?.devOidc?.mintToken({
              subject: 'pat@example.com',
              audience: 'someone-else',
              nonce,
            }).idToken as string;
          },
        },
      });
      const started = await login.begin({ loginHint: 'pat@example.com' });
      const authorize = new URL(started.location);
      nonce = authorize.searchParams.get('nonce') as string;
      const back = new URL((await hop(authorize.href)).location as string);
      const before = await counts(srv);
      const e = await expectCustodyErrorAsync(
        () =>
          login.finish(
            {
              code: back.searchParams.get('code') as string,
              state: back.searchParams.get('state') as string,
            },
            started.state,
            '127.0.0.1',
          ),
        LoginError,
        'LOGIN_ID_TOKEN_INVALID',
      );
      assert.equal(e.details?.['reason'], 'audience');
      assert.deepEqual(await counts(srv), before);
    });

    it('a session stops working when it expires (the service’s clock)', async () => {
      const l = await logIn(srv, { hint: 'pat@example.com' });
      const token = l.token as string;
      assert.equal((await call(srv, 'GET', '/api/v1/whoami', { token })).status, 200);
      ls.advance(8 * 3600_000 + 1000);
      try {
        const a = await call(srv, 'GET', '/api/v1/whoami', { token });
        assert.equal(a.status, 401);
        assert.equal(errorCode(a), 'AUTH_TOKEN_INVALID');
        assert.equal((await call(srv, 'GET', '/api/v1/whoami', { token: ls.admin })).status, 200);
      } finally {
        ls.advance(-(8 * 3600_000 + 1000));
      }
    });
  });
}
