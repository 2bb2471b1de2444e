import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CoreError } from '../../core/index.js';

/**
 * The development issuer's authorization code grant (RFC 6749 §4.1 with PKCE, RFC 7636): enough of
 * an OpenID provider for the dashboard's login on one machine. `/authorize` asks nobody anything:
 * it redirects straight back with a code for the `login_hint` identity or DEV_LOGIN_SUBJECT. Only
 * `custody serve --dev-oidc` serves it, and only back to the issuer's own origin.
 */

/** Who the development issuer logs in when the login names nobody (`login_hint`). */
export const DEV_LOGIN_SUBJECT = 'admin@dev-oidc.custody.localhost';

/** The client id the service's own login uses with the development issuer. */
export const DEV_LOGIN_CLIENT_ID = 'custody-dashboard';

export interface AuthorizeQuery {
  response_type?: string;
  client_id?: string;
  redirect_uri?: string;
  state?: string;
  nonce?: string;
  code_challenge?: string;
  code_challenge_method?: string;
  login_hint?: string;
}

export interface TokenForm {
  grant_type?: string;
  code?: string;
  redirect_uri?: string;
  client_id?: string;
  code_verifier?: string;
}

interface Pending {
  clientId: string;
  redirectUri: string;
  nonce: string | undefined;
  challenge: string;
  subject: string;
  until: number;
}

export interface DevCodeGrant {
  /** @throws CoreError USAGE for a request this issuer will not answer */
  authorize(q: AuthorizeQuery): string;
  /** An ID token for the code, or the RFC 6749 §5.2 error to answer with (400). */
  exchange(f: TokenForm): { idToken: string; expiresIn: number } | { error: string };
}

const CODE_LIFETIME_MS = 60_000;

export function createDevCodeGrant(o: {
  issuer: string;
  clock: () => Date;
  mint: (
    subject: string,
    audience: string,
    nonce: string | undefined,
  ) => {
    idToken: string;
    expiresIn: number;
  };
}): DevCodeGrant {
  const origin = new URL(o.issuer).origin;
  const codes = new Map<string, Pending>();
  return {
    authorize(q) {
      const bad = (what: string) => new CoreError('USAGE', `The dev issuer's /authorize ${what}`);
      if (q.response_type !== 'code') throw bad('answers response_type=code only');
      if (!q.client_id) throw bad('needs a client_id');
      if (!q.redirect_uri || !sameOrigin(q.redirect_uri, origin))
        throw bad(`redirects only to ${origin} (the service it runs in)`);
      if (q.code_challenge_method !== 'S256' || !q.code_challenge)
        throw bad('needs PKCE: code_challenge with code_challenge_method=S256');
      const now = o.clock().getTime();
      for (const [k, v] of codes) if (v.until <= now) codes.delete(k);
      const code = randomBytes(24).toString('base64url');
      codes.set(code, {
        clientId: q.client_id,
        redirectUri: q.redirect_uri,
        nonce: q.nonce,
        challenge: q.code_challenge,
        subject: q.login_hint?.trim() || DEV_LOGIN_SUBJECT,
        until: now + CODE_LIFETIME_MS,
      });
      const back = new URL(q.redirect_uri);
      back.searchParams.set('code', code);
      if (q.state !== undefined) back.searchParams.set('state', q.state);
      return back.href;
    },
    exchange(f) {
      if (f.grant_type !== 'authorization_code') return { error: 'unsupported_grant_type' };
      const p = f.code === undefined ? undefined : codes.get(f.code);
      // A code is good once, used or refused (RFC 6749 §4.1.2).
      if (f.code !== undefined) codes.delete(f.code);
      if (!p || p.until <= o.clock().getTime()) return { error: 'invalid_grant' };
      if (f.client_id !== p.clientId || f.redirect_uri !== p.redirectUri)
        return { error: 'invalid_grant' };
      const computed = createHash('sha256')
        .update(f.code_verifier ?? '')
        .digest('base64url');
      const a = Buffer.from(computed);
      const b = Buffer.from(p.challenge);
      if (a.length !== b.length || !timingSafeEqual(a, b)) return { error: 'invalid_grant' };
      return o.mint(p.subject, p.clientId, p.nonce);
    },
  };
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}
