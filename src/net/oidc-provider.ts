import { CustodyError } from '../core/index.js';
import { HttpClient, underlyingError } from './http.js';

/**
 * The two calls a relying party makes to an OpenID provider (OpenID Connect Discovery 1.0 §4,
 * RFC 6749 §4.1.3 with RFC 7636 §4.5): read its discovery document, and exchange an authorization
 * code for tokens. Answers are untrusted: the ID token is verified by the caller.
 */

export type OidcProviderErrorCode =
  /** The provider did not answer, or answered with something that is not what the spec says. */
  | 'LOGIN_PROVIDER_FAILED'
  /** The token endpoint refused the code (used already, expired, PKCE verifier wrong). */
  | 'LOGIN_CODE_REFUSED';

export class OidcProviderError extends CustodyError<OidcProviderErrorCode> {}

export interface ProviderMetadata {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
}

export interface CodeExchange {
  tokenEndpoint: string;
  code: string;
  redirectUri: string;
  clientId: string;
  clientSecret: string | undefined;
  codeVerifier: string;
}

export interface OidcProviderClient {
  /** @throws OidcProviderError LOGIN_PROVIDER_FAILED */
  discover(issuer: string): Promise<ProviderMetadata>;
  /**
   * The token endpoint's answer's `id_token`.
   * @throws OidcProviderError LOGIN_CODE_REFUSED, LOGIN_PROVIDER_FAILED
   */
  exchangeCode(x: CodeExchange): Promise<string>;
}

const MAX_ANSWER_BYTES = 256 * 1024;

export function createOidcProviderClient(o: { fetch?: typeof fetch } = {}): OidcProviderClient {
  // A person waits on these calls: few, short retries, and a breaker so a down provider answers fast.
  const http = new HttpClient({
    timeoutMs: 10_000,
    retries: 1,
    backoffMs: 100,
    ...(o.fetch ? { fetch: o.fetch } : {}),
  });
  const cached = new Map<string, { at: number; meta: ProviderMetadata }>();
  return {
    async discover(issuer) {
      const hit = cached.get(issuer);
      if (hit && Date.now() - hit.at < 5 * 60_000) return hit.meta;
      const url = `${issuer}/.well-known/openid-configuration`;
      const doc = (await readJson(await send(http, url, { method: 'GET' }), url)) as Record<
        string,
        unknown
      >;
      const field = (k: string): string => {
        const v = doc[k];
        if (typeof v !== 'string' || !/^https?:\/\//.test(v))
          throw failed(`${url} has no ${k}; is ${issuer} an OpenID provider?`, { url, field: k });
        return v;
      };
      // Discovery §4.3: the document's issuer must be the one asked for, or tokens from
      // another issuer could pass as this one's.
      if (doc['issuer'] !== issuer)
        throw failed(`${url} names the issuer ${JSON.stringify(doc['issuer'])}, not ${issuer}`, {
          url,
        });
      const meta = {
        issuer,
        authorizationEndpoint: field('authorization_endpoint'),
        tokenEndpoint: field('token_endpoint'),
        jwksUri: field('jwks_uri'),
      };
      cached.set(issuer, { at: Date.now(), meta });
      return meta;
    },
    async exchangeCode(x) {
      const form = new URLSearchParams({
        grant_type: 'authorization_code',
        code: x.code,
        redirect_uri: x.redirectUri,
        code_verifier: x.codeVerifier,
      });
      const headers: Record<string, string> = {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      };
      // RFC 6749 §2.3.1: a confidential client authenticates with HTTP Basic
      // (client_secret_basic, the method every provider supports); a public one names itself.
      if (x.clientSecret !== undefined) {
        const enc = (s: string) => encodeURIComponent(s);
        headers['authorization'] =
          `Basic ${Buffer.from(`${enc(x.clientId)}:${enc(x.clientSecret)}`).toString('base64')}`;
      } else {
        form.set('client_id', x.clientId);
      }
      // A code is good once: the exchange is never retried.
      const res = await send(http, x.tokenEndpoint, {
        method: 'POST',
        headers,
        body: form.toString(),
        idempotent: false,
      });
      if (res.status === 400 || res.status === 401) {
        const body = (await readJson(res, x.tokenEndpoint, true)) as { error?: unknown };
        const error = typeof body?.error === 'string' ? body.error : `HTTP ${res.status}`;
        throw new OidcProviderError(
          'LOGIN_CODE_REFUSED',
          `The provider refused the login (${error}); start again from the login page`,
          { details: { error } },
        );
      }
      const body = (await readJson(res, x.tokenEndpoint)) as { id_token?: unknown };
      if (typeof body?.id_token !== 'string')
        throw failed(
          `${x.tokenEndpoint} answered without an id_token; is the openid scope allowed?`,
          {
            url: x.tokenEndpoint,
          },
        );
      return body.id_token;
    },
  };
}

async function send(
  http: HttpClient,
  url: string,
  init: Parameters<HttpClient['request']>[1],
): Promise<Response> {
  try {
    return (await http.request(url, init)).response;
  } catch (e) {
    throw failed(`Cannot reach ${url}: ${String((underlyingError(e) as Error)?.message ?? e)}`, {
      url,
    });
  }
}

async function readJson(res: Response, url: string, anyStatus = false): Promise<unknown> {
  if (!anyStatus && !res.ok)
    throw failed(`${url} answered ${res.status}`, { url, status: res.status });
  const text = await res.text();
  if (text.length > MAX_ANSWER_BYTES) throw failed(`${url} answered too much`, { url });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    if (anyStatus) return {};
    throw failed(`${url} did not answer JSON`, { url });
  }
}

function failed(message: string, details: Record<string, unknown>): OidcProviderError {
  return new OidcProviderError(
    'LOGIN_PROVIDER_FAILED',
    `${message}; check CUSTODY_LOGIN_OIDC_ISSUER or try again later`,
    { details },
  );
}
