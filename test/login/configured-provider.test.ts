import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOidcLogin, LoginError } from '../../src/app/login/index.js';
import { OidcProviderError } from '../../src/net/oidc-provider.js';
import { expectCustodyErrorAsync } from '../helpers/expect-error.js';
import { call, type TestServer } from '../helpers/server.js';
import { freePort, type LoginServer, logIn, startLoginServer } from './flow.js';

/**
 * CUSTODY_LOGIN_OIDC_* naming a provider (here the dev issuer, as a confidential client): no
 * automatic grant, the client authenticates with HTTP Basic, the session lasts CUSTODY_LOGIN_SESSION_TTL.
 */
describe('dashboard login with a configured provider (sqlite)', () => {
  let ls: LoginServer;
  let srv: TestServer;

  before(async () => {
    ls = await startLoginServer('sqlite', (base) => ({
      CUSTODY_LOGIN_OIDC_ISSUER: `${base}/dev-oidc`,
      CUSTODY_LOGIN_OIDC_CLIENT_ID: 'custody-prod',
      CUSTODY_LOGIN_OIDC_CLIENT_SECRET: 'not-checked-by-the-dev-issuer',
      CUSTODY_LOGIN_SESSION_TTL: '30m',
    }));
    srv = ls.srv;
  });
  after(() => srv.close());

  it('grants nobody by itself, and logs in a granted subject for the configured lifetime', async () => {
    const none = await logIn(srv);
    assert.equal(none.answer.status, 403, none.answer.text);
    assert.equal(none.answer.json.error.code, 'LOGIN_NOT_GRANTED');
    assert.equal(none.authorize.searchParams.get('client_id'), 'custody-prod');
    const g = await call(srv, 'POST', '/api/v1/login-grants', {
      token: ls.admin,
      body: {
        issuer: `${srv.base}/dev-oidc`,
        subject: 'uid-4711',
        person: 'Quinn',
        role: 'auditor',
      },
    });
    assert.equal(g.status, 201, g.text);
    const l = await logIn(srv, { hint: 'uid-4711' });
    assert.equal(l.answer.status, 303, l.answer.text);
    const me = await call(srv, 'GET', '/api/v1/whoami', { token: l.token as string });
    assert.equal(me.json.person, 'Quinn');
    assert.equal(me.json.role, 'auditor');
    const ttl = Date.parse(me.json.expiresAt) - Date.now();
    assert.ok(ttl > 29 * 60_000 && ttl <= 30 * 60_000, String(ttl));
  });

  it('answers a provider that declines the person with LOGIN_PROVIDER_REFUSED', async () => {
    const l = await logIn(srv, {
      tamperCallback: (u) => {
        u.searchParams.delete('code');
        u.searchParams.set('error', 'access_denied');
      },
    });
    assert.equal(l.answer.status, 403, l.answer.text);
    assert.equal(l.answer.json.error.code, 'LOGIN_PROVIDER_REFUSED');
  });

  it('refuses to start more logins than it keeps pending, and keeps none of them', async () => {
    const login = createOidcLogin(srv.services, {
      issuer: `${srv.base}/dev-oidc`,
      clientId: 'c',
      clientSecret: undefined,
      publicUrl: srv.base,
      sessionTtlSeconds: 3600,
      maxPendingRequests: 0,
    });
    const pending = () =>
      srv.services.db.kysely.selectFrom('login_requests').select('state_hash').execute();
    const before = (await pending()).length;
    await expectCustodyErrorAsync(() => login.begin(), LoginError, 'LOGIN_RATE_LIMITED');
    assert.ok((await pending()).length <= before);
  });

  it('answers a provider that cannot be reached with LOGIN_PROVIDER_FAILED', async () => {
    const port = await freePort();
    const login = createOidcLogin(srv.services, {
      issuer: `http://127.0.0.1:${port}/nobody`,
      clientId: 'c',
      clientSecret: undefined,
      publicUrl: srv.base,
      sessionTtlSeconds: 3600,
    });
    await expectCustodyErrorAsync(() => login.begin(), OidcProviderError, 'LOGIN_PROVIDER_FAILED');
    await expectCustodyErrorAsync(
      () => login.finish({ state: 'unknown', code: 'x' }, 'unknown', '127.0.0.1'),
      LoginError,
      'LOGIN_STATE_INVALID',
    );
  });
});
