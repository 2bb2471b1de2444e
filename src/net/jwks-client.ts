import { readFileSync } from 'node:fs';
import { type Jwks, parseJwks, SignError } from '../sign/index.js';
import { HttpClient, underlyingError } from './http.js';

export interface JwksSourceOptions {
  issuer: string;
  /** The JWKS URL; default: `jwks_uri` of the issuer's discovery document. */
  jwksUrl?: string;
  /** A JWKS file instead (offline, or an issuer with no reachable endpoint). */
  jwksFile?: string;
  fetch?: typeof fetch;
  clock?: () => Date;
  /** How long fetched keys are used before fetching again; default 5 minutes. */
  ttlMs?: number;
  /** An unknown kid triggers a refetch at most this often; default 30 s. */
  minRefreshMs?: number;
  timeoutMs?: number;
  /** Retries of a fetch that found the issuer unreachable or busy. Default 2. */
  retries?: number;
}

/** An issuer's keys, fetched once and cached; the file form is read on every refresh. */
export interface JwksSource {
  get(): Promise<Jwks>;
  /** Fetch again (a key rotation) unless the last fetch was under `minRefreshMs` ago; true if it did. */
  refreshIfStale(): Promise<boolean>;
}

export function createJwksSource(o: JwksSourceOptions): JwksSource {
  const clock = o.clock ?? (() => new Date());
  const ttl = o.ttlMs ?? 5 * 60_000;
  const minRefresh = o.minRefreshMs ?? 30_000;
  // One client per issuer: its circuit breaker keeps a down issuer from being asked on every
  // signing request. A signing request waits for this, so retries are few and short.
  const http = new HttpClient({
    timeoutMs: o.timeoutMs ?? 10_000,
    retries: o.retries ?? 2,
    backoffMs: 100,
    ...(o.fetch ? { fetch: o.fetch } : {}),
  });
  let cached: { jwks: Jwks; at: number } | undefined;
  let inflight: Promise<Jwks> | undefined;

  const load = async (): Promise<Jwks> => {
    if (o.jwksFile !== undefined) {
      try {
        return parseJwks(JSON.parse(readFileSync(o.jwksFile, 'utf8')));
      } catch (e) {
        throw failed(`Cannot read the JWKS file ${o.jwksFile} for ${o.issuer}.`, e);
      }
    }
    const url = o.jwksUrl ?? (await discoverJwksUri());
    return parseJwks(await getJson(url));
  };
  const discoverJwksUri = async (): Promise<string> => {
    const doc = (await getJson(
      `${o.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`,
    )) as {
      jwks_uri?: unknown;
    };
    if (typeof doc?.jwks_uri !== 'string')
      throw failed(`${o.issuer}'s discovery document has no jwks_uri.`);
    return doc.jwks_uri;
  };
  const getJson = async (url: string): Promise<unknown> => {
    let res: Response;
    try {
      res = (await http.request(url)).response;
    } catch (e) {
      throw failed(`Cannot reach ${url} for ${o.issuer}'s keys.`, underlyingError(e));
    }
    if (!res.ok) throw failed(`${url} answered ${res.status} for ${o.issuer}'s keys.`);
    try {
      return await res.json();
    } catch (e) {
      throw failed(`${url} did not answer JSON.`, e);
    }
  };
  const reload = (): Promise<Jwks> => {
    inflight ??= load()
      .then((jwks) => {
        cached = { jwks, at: clock().getTime() };
        return jwks;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };

  return {
    async get() {
      if (cached && clock().getTime() - cached.at < ttl) return cached.jwks;
      return reload();
    },
    async refreshIfStale() {
      if (cached && clock().getTime() - cached.at < minRefresh) return false;
      await reload();
      return true;
    },
  };
}

function failed(message: string, cause?: unknown): SignError {
  return new SignError('SIGN_SERVICE_FAILED', message, {
    details: { service: 'oidc' },
    ...(cause === undefined ? {} : { cause }),
  });
}
