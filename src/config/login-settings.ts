import { CoreError } from '../core/index.js';

/**
 * Dashboard login with an OpenID Connect provider (CUSTODY_LOGIN_*): the authorization code flow
 * with PKCE, run by the service. The redirect URI is `<CUSTODY_PUBLIC_URL>/login/oidc/callback`
 * (the service's public URL, config.ts); register it with the provider.
 */
export interface LoginSettings {
  /**
   * CUSTODY_LOGIN_OIDC_ISSUER and _CLIENT_ID (both or neither); undefined: no OIDC login, unless
   * `custody serve --dev-oidc` supplies its development issuer.
   */
  oidc: LoginOidcSettings | undefined;
  /** CUSTODY_LOGIN_SESSION_TTL: how long a login session lasts, 5m to 7d. Default 8 h. */
  sessionTtlSeconds: number;
}

export interface LoginOidcSettings {
  /** The provider's issuer URL, exactly as its ID tokens' `iss` says it. */
  issuer: string;
  clientId: string;
  /** CUSTODY_LOGIN_OIDC_CLIENT_SECRET: for a confidential client; absent for a public one. */
  clientSecret: string | undefined;
}

export const DEFAULT_SESSION_TTL_SECONDS = 8 * 3600;
const MIN_TTL = 5 * 60;
const MAX_TTL = 7 * 86_400;

/** @throws CoreError USAGE naming every variable at fault */
export function loadLoginSettings(
  env: Readonly<Record<string, string | undefined>>,
): LoginSettings {
  const problems: string[] = [];
  const issuer = nonEmpty(env['CUSTODY_LOGIN_OIDC_ISSUER'])?.replace(/\/+$/, '');
  const clientId = nonEmpty(env['CUSTODY_LOGIN_OIDC_CLIENT_ID']);
  const clientSecret = nonEmpty(env['CUSTODY_LOGIN_OIDC_CLIENT_SECRET']);
  if (issuer !== undefined && !issuerAllowed(issuer))
    problems.push(
      `CUSTODY_LOGIN_OIDC_ISSUER must be an https:// URL (http:// only on loopback), got ${JSON.stringify(issuer)}`,
    );
  if (issuer !== undefined && clientId === undefined)
    problems.push(
      'CUSTODY_LOGIN_OIDC_ISSUER needs CUSTODY_LOGIN_OIDC_CLIENT_ID: the client id the provider gave Custody',
    );
  if (issuer === undefined && (clientId !== undefined || clientSecret !== undefined))
    problems.push(
      'CUSTODY_LOGIN_OIDC_CLIENT_ID and _CLIENT_SECRET belong to a provider: set CUSTODY_LOGIN_OIDC_ISSUER as well',
    );
  if (clientId !== undefined && clientId.length > 256)
    problems.push('CUSTODY_LOGIN_OIDC_CLIENT_ID is at most 256 characters');
  const ttl = parseTtl(env['CUSTODY_LOGIN_SESSION_TTL'], problems);
  if (problems.length > 0)
    throw new CoreError('USAGE', problems.join('; '), { details: { problems } });
  return Object.freeze({
    oidc:
      issuer !== undefined && clientId !== undefined
        ? Object.freeze({ issuer, clientId, clientSecret })
        : undefined,
    sessionTtlSeconds: ttl,
  });
}

// An ID token's keys and the code exchange travel over this URL: plain HTTP only where nothing
// but this machine can see it.
function issuerAllowed(issuer: string): boolean {
  let u: URL;
  try {
    u = new URL(issuer);
  } catch {
    return false;
  }
  if (u.protocol === 'https:') return true;
  return u.protocol === 'http:' && /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(u.hostname);
}

function parseTtl(raw: string | undefined, problems: string[]): number {
  const v = nonEmpty(raw);
  if (v === undefined) return DEFAULT_SESSION_TTL_SECONDS;
  const m = /^(\d{1,6})([mhd])$/.exec(v);
  const s = m ? Number(m[1]) * { m: 60, h: 3600, d: 86_400 }[m[2] as 'm' | 'h' | 'd'] : Number.NaN;
  if (!(s >= MIN_TTL && s <= MAX_TTL)) {
    problems.push(
      `CUSTODY_LOGIN_SESSION_TTL is a duration of 5m to 7d in minutes, hours or days (8h, 30m, 1d); ${JSON.stringify(v)} is not one`,
    );
    return DEFAULT_SESSION_TTL_SECONDS;
  }
  return s;
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t === undefined || t === '' ? undefined : t;
}
