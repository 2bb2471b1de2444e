import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { openLogin } from '../../src/app/login/index.js';
import { loadLoginSettings } from '../../src/config/index.js';
import {
  BACKENDS,
  type Backend,
  startServer,
  type TestServer,
  tokenFor,
} from '../helpers/server.js';

export { BACKENDS, type Backend };

/** A free loopback port: the dev issuer's URL must be known before the server listens. */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const a = probe.address();
      probe.close(() => done(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export interface LoginServer {
  srv: TestServer;
  /** The bootstrap-like admin token whose person the dev identity logs in as. */
  admin: string;
  /** Moves the service's clock (not the dev issuer's). */
  advance(ms: number): void;
}

/**
 * `custody serve --dev-oidc` as the tests need it: the dev issuer at the server's own address and
 * the dashboard login with it (unless `env` configures a provider), with an admin token made first.
 */
export async function startLoginServer(
  backend: Backend,
  env: (base: string) => Record<string, string> = () => ({}),
): Promise<LoginServer> {
  let offset = 0;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let admin = '';
  const srv = await startServer(backend, {
    keyless: true,
    publicUrl: base,
    port,
    clock: () => new Date(Date.now() + offset),
    login: async (s, keyless) => {
      admin = await tokenFor(s, 'admin', undefined, 'Ada Admin');
      return openLogin(s, {
        settings: loadLoginSettings(env(base)),
        publicUrl: base,
        devOidc: keyless?.devOidc,
      });
    },
  });
  assert.equal(srv.base, base);
  return {
    srv,
    admin,
    advance: (ms) => {
      offset += ms;
    },
  };
}

export interface Hop {
  status: number;
  location: string | null;
  setCookie: string | null;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests poke into error bodies
  json: any;
}

/** One GET, redirects not followed (the test follows them by hand). */
export async function hop(url: string, headers: Record<string, string> = {}): Promise<Hop> {
  const res = await fetch(url, { redirect: 'manual', headers });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: res.status,
    location: res.headers.get('location'),
    setCookie: res.headers.get('set-cookie'),
    text,
    json,
  };
}

export interface LoginSteps {
  /** The provider's authorization URL the service sent the browser to. */
  authorize: URL;
  /** The callback URL the provider sent the browser back to. */
  callback: URL;
  /** The callback's answer. */
  answer: Hop;
  /** The session token from the page URL's fragment, when the login succeeded. */
  token: string | undefined;
  /** The Cookie header the browser sent to the callback. */
  cookie: string | undefined;
}

/**
 * A browser's login, hop by hop: /login/oidc → the provider's /authorize → the callback → the
 * page. `tamperAuthorize` changes the authorization request on its way to the provider;
 * `tamperCallback` the provider's answer on its way back.
 */
export async function logIn(
  srv: Pick<TestServer, 'base'>,
  o: {
    hint?: string;
    tamperAuthorize?: (u: URL) => void;
    tamperCallback?: (u: URL) => void;
    headers?: Record<string, string>;
    /** The state cookie the browser sends back: the one it was given (default), none, or another. */
    cookie?: false | string;
  } = {},
): Promise<LoginSteps> {
  const start = await hop(
    `${srv.base}/login/oidc${o.hint ? `?login_hint=${encodeURIComponent(o.hint)}` : ''}`,
  );
  assert.equal(start.status, 302, start.text);
  const given =
    /^(custody_login_state=[^;]+);.*Path=\/login\/oidc\/callback;.*HttpOnly; SameSite=Lax/.exec(
      start.setCookie ?? '',
    );
  assert.ok(given, start.setCookie ?? 'no cookie');
  const cookie =
    o.cookie === false ? undefined : o.cookie ? `custody_login_state=${o.cookie}` : given[1];
  const authorize = new URL(start.location as string);
  o.tamperAuthorize?.(authorize);
  const back = await hop(authorize.href);
  assert.equal(back.status, 302, back.text);
  const callback = new URL(back.location as string);
  o.tamperCallback?.(callback);
  const answer = await hop(callback.href, {
    ...o.headers,
    ...(cookie !== undefined ? { cookie } : {}),
  });
  const m = /#login=([^&]+)$/.exec(answer.location ?? '');
  return {
    authorize,
    callback,
    answer,
    token: answer.status === 303 && m ? decodeURIComponent(m[1] as string) : undefined,
    cookie,
  };
}
