import { createHash, generateKeyPairSync } from 'node:crypto';
import { CoreError } from '../../core/index.js';
import { caPaths, loadOrCreateKey } from '../../fs/ca-files.js';
import {
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  type Jwks,
  jwkFromKey,
  signJwt,
} from '../../sign/index.js';
import { createDevCodeGrant, type DevCodeGrant } from './dev-oidc-codes.js';

/** Claims a dev token may carry besides its subject: the GitHub Actions ones, to try CI identities. */
const PASS_THROUGH = new Set([
  'server_url',
  'repository',
  'repository_id',
  'repository_owner',
  'repository_owner_id',
  'repository_visibility',
  'ref',
  'sha',
  'run_id',
  'run_attempt',
  'workflow',
  'workflow_ref',
  'workflow_sha',
  'job_workflow_ref',
  'job_workflow_sha',
  'event_name',
  'runner_environment',
]);

export interface DevTokenRequest {
  subject: string;
  audience?: string;
  ttlSeconds?: number;
  claims?: Record<string, unknown>;
  /** The login's nonce (OpenID Connect Core §3.1.2.1), for the code grant's ID tokens. */
  nonce?: string;
}

/**
 * A local OIDC issuer for one-machine use and tests (`custody serve --dev-oidc`): it signs any
 * subject it is asked for, so it proves nothing about anyone. Its tokens say so
 * (`custody_dev_issuer: true`, a `dev` kid), and a CA must be told to trust its issuer URL.
 */
export interface DevOidcIssuer {
  readonly issuer: string;
  jwks(): Jwks;
  discovery(): Record<string, unknown>;
  /** @throws CoreError USAGE for an empty subject or a lifetime over the CA's maximum */
  mintToken(req: DevTokenRequest): { idToken: string; expiresIn: number };
  /** The authorization code grant the dashboard's login uses (dev-oidc-codes.ts). */
  codes: DevCodeGrant;
}

export const DEV_OIDC_WARNING =
  'Custody development OIDC issuer: it signs any subject asked for. Never trust it outside one machine or a test.';

/** The issuer's ES256 key is `<dataDir>/ca/dev-oidc-key.pem`, created on first use. */
export function openDevOidcIssuer(o: {
  dataDir: string;
  /** Its `iss`: the URL its routes are served under, e.g. `http://127.0.0.1:8080/dev-oidc`. */
  issuer: string;
  clock?: () => Date;
  /**
   * Longest lifetime of its tokens: the CA's maximum token lifetime (default 600 s, the CA's
   * default), so a dev token is never one the CA refuses for living too long.
   */
  maxTtlSeconds?: number;
}): DevOidcIssuer {
  const key = loadOrCreateKey(
    caPaths(o.dataDir).devOidcKey,
    () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  );
  const jwk = jwkFromKey(key, 'pending');
  const kid = `dev-${createHash('sha256')
    .update(JSON.stringify([jwk.x, jwk.y]))
    .digest('hex')
    .slice(0, 16)}`;
  const clock = o.clock ?? (() => new Date());
  const issuer = o.issuer.replace(/\/+$/, '');
  const dev: Omit<DevOidcIssuer, 'codes'> = {
    issuer,
    jwks: () => ({ keys: [jwkFromKey(key, kid)] }),
    discovery: () => ({
      issuer,
      jwks_uri: `${issuer}/jwks`,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      response_types_supported: ['code', 'id_token'],
      grant_types_supported: ['authorization_code'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
      scopes_supported: ['openid', 'email', 'profile'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
      custody_dev_issuer: true,
      warning: DEV_OIDC_WARNING,
    }),
    mintToken(req) {
      const subject = typeof req.subject === 'string' ? req.subject.trim() : '';
      if (subject === '') throw new CoreError('USAGE', 'A dev token needs a subject.');
      const maxTtl = o.maxTtlSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
      const ttl = req.ttlSeconds ?? Math.min(600, maxTtl);
      if (!(ttl > 0 && ttl <= maxTtl)) {
        throw new CoreError(
          'USAGE',
          `A dev token lives between 1 second and ${maxTtl} seconds (the CA's CUSTODY_OIDC_MAX_TOKEN_LIFETIME).`,
        );
      }
      const now = Math.floor(clock().getTime() / 1000);
      const extra = Object.fromEntries(
        Object.entries(req.claims ?? {}).filter(
          ([k, v]) => PASS_THROUGH.has(k) && typeof v === 'string',
        ),
      );
      const isEmail = /^[^@\s]+@[^@\s]+$/.test(subject);
      const idToken = signJwt(key, kid, {
        ...extra,
        iss: issuer,
        sub: subject,
        aud: req.audience ?? 'sigstore',
        iat: now,
        nbf: now,
        exp: now + ttl,
        ...(isEmail ? { email: subject, email_verified: true } : {}),
        ...(req.nonce !== undefined ? { nonce: req.nonce } : {}),
        custody_dev_issuer: true,
      });
      return { idToken, expiresIn: ttl };
    },
  };
  const codes = createDevCodeGrant({
    issuer,
    clock,
    mint: (subject, audience, nonce) =>
      dev.mintToken({ subject, audience, ...(nonce !== undefined ? { nonce } : {}) }),
  });
  return { ...dev, codes };
}
