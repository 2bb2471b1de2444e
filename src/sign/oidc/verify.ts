import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { SignError } from '../errors.js';
import { JWS_ALGORITHMS, type Jwks, type JwsAlgorithm, keyFromJwk, selectJwk } from './jwks.js';
import { parseJwt } from './jwt.js';

/** Why a token was refused: `details.reason` of its SIGN_TOKEN_INVALID error. */
export type TokenRefusal =
  | 'malformed'
  | 'alg-none'
  | 'alg-unsupported'
  | 'kid-unknown'
  | 'signature'
  | 'issuer-unknown'
  | 'audience'
  | 'expired'
  | 'not-yet-valid'
  | 'issued-in-future'
  | 'lifetime-too-long'
  | 'subject-refused'
  | 'email-unverified'
  | 'subject-unsupported'
  | 'jwks-malformed';

export interface VerifyIdTokenOptions {
  /** The issuer's keys; the caller chose them by the token's `iss` (see `peekIssuer`). */
  jwks: Jwks;
  /** The issuers accepted (exact `iss`). */
  issuers: readonly string[];
  /** One of these must be in `aud`. */
  audience: string | readonly string[];
  now: Date;
  /** Clock skew allowed on `exp`, `nbf` and `iat`; default 60 s. */
  skewSeconds?: number;
  /**
   * Longest lifetime (`exp − iat`) accepted, in seconds; default
   * DEFAULT_MAX_TOKEN_LIFETIME_SECONDS (Brief 2: tokens live at most 10 minutes).
   */
  maxLifetimeSeconds?: number;
}

/** Brief 2's "≤ 10 min"; GitHub Actions' tokens live 5 minutes, Google's an hour (raise it for those). */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 600;

export interface VerifiedIdToken {
  issuer: string;
  subject: string;
  claims: Readonly<Record<string, unknown>>;
  algorithm: JwsAlgorithm;
  expiresAt: Date;
}

/**
 * Verifies an OIDC ID token (untrusted): algorithm, key, signature (jose's `jwtVerify` over the
 * issuer's JWKS), then issuer, audience and times. Each refusal is SIGN_TOKEN_INVALID with its
 * own `details.reason` (TokenRefusal). The keys are given, never fetched here: fetching (and
 * refetching on an unknown kid) is the caller's.
 */
export async function verifyIdToken(
  token: string,
  o: VerifyIdTokenOptions,
): Promise<VerifiedIdToken> {
  const jwt = parseJwt(token);
  const alg = jwt.header['alg'];
  if (typeof alg !== 'string' || alg.toLowerCase() === 'none') {
    throw refuse('alg-none', 'The ID token is unsigned (alg "none"); tokens must be signed.');
  }
  if (!(JWS_ALGORITHMS as readonly string[]).includes(alg)) {
    throw refuse(
      'alg-unsupported',
      `The ID token is signed with ${alg}; accepted: ${JWS_ALGORITHMS.join(', ')}.`,
    );
  }
  // jose would try every key of a fitting type when the token names none; Custody's rule is
  // stricter: the named kid, or the only key of the set.
  const kid = typeof jwt.header['kid'] === 'string' ? jwt.header['kid'] : undefined;
  const jwk = selectJwk(o.jwks, kid);
  if (jwk === undefined || keyFromJwk(jwk) === undefined) {
    throw refuse('kid-unknown', `The issuer publishes no usable key ${kid ?? '(no kid)'}.`, {
      kid,
    });
  }
  // jose takes ~30 ms to load: only when a token is verified, not with every import of sign/.
  const jose = await import('jose');
  const joseErrors = jose.errors;
  let payload: JWTPayload;
  try {
    payload = (
      await jose.jwtVerify(token.trim(), keySetOf(o.jwks, jose.createLocalJWKSet), {
        algorithms: [...JWS_ALGORITHMS],
        currentDate: o.now,
        clockTolerance: o.skewSeconds ?? 60,
      })
    ).payload;
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired || e instanceof joseErrors.JWTClaimValidationFailed) {
      // The signature verified before jose looked at the claims: Custody's own checks say why,
      // in the order (issuer, audience, times) its refusals have always had.
      checkClaims(e.payload, alg as JwsAlgorithm, o);
      throw refuse(e instanceof joseErrors.JWTExpired ? 'expired' : 'malformed', e.message);
    }
    // No fitting key under the kid means a key of another type than the algorithm: an RSA key
    // never checks an ES256 token.
    if (
      e instanceof joseErrors.JWSSignatureVerificationFailed ||
      e instanceof joseErrors.JWKSNoMatchingKey ||
      e instanceof joseErrors.JOSEAlgNotAllowed ||
      e instanceof joseErrors.JOSENotSupported
    ) {
      throw refuse('signature', "The ID token's signature does not verify with the issuer's key.", {
        kid,
      });
    }
    throw refuse('malformed', `The ID token is malformed: ${(e as Error).message}`);
  }
  return checkClaims(payload, alg as JwsAlgorithm, o);
}

// createLocalJWKSet imports each key once; a JWKS object is reused until its source refetches.
const keySets = new WeakMap<Jwks, JWTVerifyGetKey>();
function keySetOf(
  jwks: Jwks,
  createLocalJWKSet: typeof import('jose').createLocalJWKSet,
): JWTVerifyGetKey {
  let set = keySets.get(jwks);
  if (set === undefined) {
    set = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
    keySets.set(jwks, set);
  }
  return set;
}

/**
 * The `iss` of a token before it is verified, to choose whose keys to verify it with; nothing
 * else may be read from an unverified token.
 */
export function peekIssuer(token: string): string {
  const iss = parseJwt(token).claims['iss'];
  if (typeof iss !== 'string' || iss === '') {
    throw refuse('malformed', 'The ID token has no issuer (iss).');
  }
  return iss;
}

function checkClaims(
  c: Readonly<Record<string, unknown>>,
  algorithm: JwsAlgorithm,
  o: VerifyIdTokenOptions,
): VerifiedIdToken {
  const iss = c['iss'];
  if (typeof iss !== 'string' || !o.issuers.includes(iss)) {
    throw refuse('issuer-unknown', `The ID token's issuer ${JSON.stringify(iss)} is not trusted.`, {
      issuer: iss,
    });
  }
  const wanted = typeof o.audience === 'string' ? [o.audience] : o.audience;
  const aud = c['aud'];
  const auds = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!auds.some((a) => wanted.includes(a))) {
    throw refuse(
      'audience',
      `The ID token is for ${JSON.stringify(aud)}, not ${wanted.join(' or ')}.`,
      {
        audience: aud,
        expected: wanted,
      },
    );
  }
  const sub = c['sub'];
  if (typeof sub !== 'string' || sub === '')
    throw refuse('malformed', 'The ID token has no subject.');
  const now = o.now.getTime() / 1000;
  const skew = o.skewSeconds ?? 60;
  const exp = c['exp'];
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw refuse('malformed', 'The ID token has no expiry (exp).');
  }
  if (now - skew >= exp) {
    throw refuse('expired', `The ID token expired at ${new Date(exp * 1000).toISOString()}.`, {
      exp,
    });
  }
  const nbf = c['nbf'];
  if (nbf !== undefined && (typeof nbf !== 'number' || now + skew < nbf)) {
    throw refuse('not-yet-valid', 'The ID token is not valid yet (nbf).', { nbf });
  }
  const iat = c['iat'];
  if (iat !== undefined && (typeof iat !== 'number' || now + skew < iat)) {
    throw refuse('issued-in-future', 'The ID token was issued in the future (iat).', { iat });
  }
  assertLifetime(exp, typeof iat === 'number' ? iat : undefined, now, o);
  return { issuer: iss, subject: sub, claims: c, algorithm, expiresAt: new Date(exp * 1000) };
}

// A long-lived token is a bearer credential worth stealing. The lifetime is exp − iat, both the
// issuer's clock, so no skew; a token without iat may live no longer from now (skew allowed).
function assertLifetime(
  exp: number,
  iat: number | undefined,
  now: number,
  o: VerifyIdTokenOptions,
) {
  const max = o.maxLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  const lifetime = iat !== undefined ? exp - iat : exp - now - (o.skewSeconds ?? 60);
  if (lifetime > max) {
    throw refuse(
      'lifetime-too-long',
      `The ID token lives ${Math.round(lifetime)} s${iat === undefined ? ' from now (it has no iat)' : ' (exp − iat)'}, over the ${max} s this CA accepts: ask the issuer for a shorter-lived token, or raise CUSTODY_OIDC_MAX_TOKEN_LIFETIME.`,
      { lifetimeSeconds: lifetime, maxSeconds: max },
    );
  }
}

function refuse(reason: TokenRefusal, message: string, more: Record<string, unknown> = {}) {
  return new SignError('SIGN_TOKEN_INVALID', message, { details: { reason, ...more } });
}
