import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createJwksSource, type JwksSource } from '../../net/jwks-client.js';
import {
  createOidcProviderClient,
  type OidcProviderClient,
  OidcProviderError,
} from '../../net/oidc-provider.js';
import { SignError, type VerifiedIdToken, verifyIdToken } from '../../sign/index.js';
import { insertLoginRequest, takeLoginRequest } from '../../store/login-grants.js';
import type { Services } from '../services.js';
import { hashToken } from '../tokens.js';
import { LoginError } from './errors.js';
import { createLoginSession, type LoginSession } from './session.js';

/** Where the service serves the flow; the redirect URI is the public URL followed by the second. */
export const LOGIN_OIDC_PATH = '/login/oidc';
export const LOGIN_CALLBACK_PATH = '/login/oidc/callback';

export interface OidcLoginOptions {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  /** The service's public URL (CUSTODY_PUBLIC_URL): the redirect URI and the page are under it. */
  publicUrl: string;
  sessionTtlSeconds: number;
  /** The provider is the development issuer of `custody serve --dev-oidc`. */
  dev?: boolean;
  provider?: OidcProviderClient;
  /** How long a person has to come back from the provider; default 10 minutes. */
  requestTtlMs?: number;
  /** Logins in progress at most (default 10,000); more are LOGIN_RATE_LIMITED. */
  maxPendingRequests?: number;
}

/**
 * The dashboard's login with an OpenID provider: the authorization code flow with PKCE (RFC 6749
 * §4.1, RFC 7636, OpenID Connect Core §3.1), run by the service so the page never sees the code,
 * the verifier or the ID token. `begin` keeps state, nonce and verifier in the database for a few
 * minutes and sends the person to the provider; `finish` takes the state once, exchanges the code,
 * verifies the ID token, maps the identity to a login grant and makes a short-lived session token.
 */
export interface OidcLogin {
  readonly issuer: string;
  readonly clientId: string;
  readonly dev: boolean;
  /** The service's public URL the login returns to. */
  readonly publicUrl: string;
  /**
   * A new login: the provider's authorization URL, and its state, which the face also gives the
   * browser (a cookie) so that only the browser that started a login can finish it.
   * @throws OidcProviderError LOGIN_PROVIDER_FAILED; LoginError LOGIN_RATE_LIMITED
   */
  begin(o?: { loginHint?: string }): Promise<{ location: string; state: string }>;
  /**
   * `browserState` is the state the browser kept from `begin` (RFC 6749 §10.12: without it, anyone
   * could send someone a callback URL of their own login and log them in as themselves).
   * @throws LoginError LOGIN_STATE_INVALID, LOGIN_PROVIDER_REFUSED, LOGIN_ID_TOKEN_INVALID,
   *   LOGIN_NONCE_MISMATCH, LOGIN_NOT_GRANTED; OidcProviderError LOGIN_CODE_REFUSED,
   *   LOGIN_PROVIDER_FAILED
   */
  finish(q: CallbackQuery, browserState: string | undefined, source: string): Promise<LoginSession>;
  /** Where the page takes the session over: the fragment never reaches a server or its logs. */
  pageUrl(session: LoginSession): string;
}

export interface CallbackQuery {
  code?: string | undefined;
  state?: string | undefined;
  error?: string | undefined;
  error_description?: string | undefined;
}

// ID tokens of common providers live up to an hour (Google); only this login reads them, once.
const MAX_ID_TOKEN_LIFETIME_SECONDS = 86_400;

export function createOidcLogin(s: Services, o: OidcLoginOptions): OidcLogin {
  const provider = o.provider ?? createOidcProviderClient();
  const redirectUri = `${o.publicUrl}${LOGIN_CALLBACK_PATH}`;
  const requestTtlMs = o.requestTtlMs ?? 10 * 60_000;
  let keys: { uri: string; source: JwksSource } | undefined;
  const jwksFor = (uri: string): JwksSource => {
    if (keys?.uri !== uri)
      keys = { uri, source: createJwksSource({ issuer: o.issuer, jwksUrl: uri, clock: s.clock }) };
    return keys.source;
  };

  const verify = async (idToken: string, jwksUri: string): Promise<VerifiedIdToken> => {
    const source = jwksFor(jwksUri);
    const opts = {
      issuers: [o.issuer],
      audience: o.clientId,
      now: s.clock(),
      maxLifetimeSeconds: MAX_ID_TOKEN_LIFETIME_SECONDS,
    };
    try {
      try {
        return await verifyIdToken(idToken, { ...opts, jwks: await source.get() });
      } catch (e) {
        // A key the cached set lacks: the provider rotated its keys.
        if (!(e instanceof SignError && e.details?.['reason'] === 'kid-unknown')) throw e;
        if (!(await source.refreshIfStale())) throw e;
        return await verifyIdToken(idToken, { ...opts, jwks: await source.get() });
      }
    } catch (e) {
      if (e instanceof SignError && e.code === 'SIGN_TOKEN_INVALID')
        throw new LoginError(
          'LOGIN_ID_TOKEN_INVALID',
          `The provider's ID token was refused: ${e.message} Check CUSTODY_LOGIN_OIDC_ISSUER and _CLIENT_ID, then log in again`,
          { details: { reason: e.details?.['reason'] }, cause: e },
        );
      if (e instanceof SignError)
        throw new OidcProviderError('LOGIN_PROVIDER_FAILED', e.message, { cause: e });
      throw e;
    }
  };

  return {
    issuer: o.issuer,
    clientId: o.clientId,
    dev: o.dev === true,
    publicUrl: o.publicUrl,
    async begin(b = {}) {
      const meta = await provider.discover(o.issuer);
      const state = random();
      const nonce = random();
      const verifier = random();
      const now = s.clock();
      const kept = await insertLoginRequest(
        s.db.kysely,
        {
          state_hash: hashToken(state),
          nonce,
          verifier,
          issuer: o.issuer,
          expires_at: new Date(now.getTime() + requestTtlMs).toISOString(),
        },
        now.toISOString(),
        o.maxPendingRequests ?? 10_000,
      );
      // Anyone may start a login: a flood of them is refused before it fills the database.
      if (!kept)
        throw new LoginError(
          'LOGIN_RATE_LIMITED',
          'Too many logins are in progress; try again in a few minutes',
        );
      const url = new URL(meta.authorizationEndpoint);
      const q = url.searchParams;
      q.set('response_type', 'code');
      q.set('client_id', o.clientId);
      q.set('redirect_uri', redirectUri);
      q.set('scope', 'openid email profile');
      q.set('state', state);
      q.set('nonce', nonce);
      q.set('code_challenge', createHash('sha256').update(verifier).digest('base64url'));
      q.set('code_challenge_method', 'S256');
      if (b.loginHint) q.set('login_hint', b.loginHint);
      return { location: url.href, state };
    },

    async finish(q, browserState, source) {
      const now = s.clock();
      const request =
        typeof q.state === 'string' && q.state !== '' && sameString(q.state, browserState)
          ? await takeLoginRequest(s.db.kysely, hashToken(q.state))
          : undefined;
      if (!request || request.expires_at <= now.toISOString() || request.issuer !== o.issuer)
        throw new LoginError(
          'LOGIN_STATE_INVALID',
          'This login is unknown, finished, too old or was started in another browser (its state does not match one this browser started here); start again from the login page',
        );
      if (q.error !== undefined || !q.code)
        throw new LoginError(
          'LOGIN_PROVIDER_REFUSED',
          `The provider did not log you in (${q.error ?? 'no code'}${q.error_description ? `: ${q.error_description.slice(0, 200)}` : ''}); try again or ask your provider's administrator`,
          { details: { error: q.error ?? null } },
        );
      const meta = await provider.discover(o.issuer);
      const idToken = await provider.exchangeCode({
        tokenEndpoint: meta.tokenEndpoint,
        code: q.code,
        redirectUri,
        clientId: o.clientId,
        clientSecret: o.clientSecret,
        codeVerifier: request.verifier,
      });
      const verified = await verify(idToken, meta.jwksUri);
      const c = verified.claims;
      // OpenID Connect Core §3.1.3.7: with several audiences, this client must be the azp.
      if (Array.isArray(c['aud']) && c['aud'].length > 1 && c['azp'] !== o.clientId)
        throw new LoginError(
          'LOGIN_ID_TOKEN_INVALID',
          `The ID token was issued to ${JSON.stringify(c['azp'])}, not to this service (${o.clientId}); log in again`,
          { details: { reason: 'audience' } },
        );
      if (c['nonce'] !== request.nonce)
        throw new LoginError(
          'LOGIN_NONCE_MISMATCH',
          'The ID token belongs to another login (its nonce is not this one’s); start again from the login page',
        );
      const identity = {
        issuer: o.issuer,
        subject: verified.subject,
        email:
          typeof c['email'] === 'string' && c['email_verified'] === true
            ? c['email'].toLowerCase()
            : null,
      };
      return createLoginSession(
        s,
        identity,
        { sessionTtlSeconds: o.sessionTtlSeconds, dev: o.dev === true },
        source,
      );
    },

    pageUrl(session) {
      return `${o.publicUrl}/#login=${encodeURIComponent(session.token)}`;
    },
  };
}

function sameString(a: string, b: string | undefined): boolean {
  if (b === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// 256 random bits: state and nonce unguessable, and the verifier 43 characters (RFC 7636 §4.1).
function random(): string {
  return randomBytes(32).toString('base64url');
}
