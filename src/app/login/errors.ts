import { CustodyError } from '../../core/index.js';

/**
 * Codes of the dashboard's OIDC login (app/login/). Public API: never renamed or reused. The
 * provider's own failures are net/oidc-provider.ts's LOGIN_PROVIDER_FAILED and LOGIN_CODE_REFUSED.
 */
export type LoginErrorCode =
  /** No OIDC provider is configured (CUSTODY_LOGIN_OIDC_ISSUER, or `custody serve --dev-oidc`). */
  | 'LOGIN_NOT_CONFIGURED'
  /** The callback's state is unknown, used already or expired: the login did not start here. */
  | 'LOGIN_STATE_INVALID'
  /** The provider sent the person back with an error (they declined, or it refused them). */
  | 'LOGIN_PROVIDER_REFUSED'
  /** The ID token does not verify: signature, issuer, audience or times; details.reason says which. */
  | 'LOGIN_ID_TOKEN_INVALID'
  /** The ID token's nonce is not the one this login sent: a token from another login. */
  | 'LOGIN_NONCE_MISMATCH'
  /** No live login grant for this identity: an admin must grant it first. */
  | 'LOGIN_NOT_GRANTED'
  /** A login grant request is malformed (no subject or email, a bad role, team or expiry). */
  | 'LOGIN_GRANT_INVALID'
  /** An identical live grant exists already. */
  | 'LOGIN_GRANT_CONFLICT'
  | 'LOGIN_GRANT_NOT_FOUND'
  /** Too many logins in progress (anyone may start one); try again in a few minutes. */
  | 'LOGIN_RATE_LIMITED';

export class LoginError extends CustodyError<LoginErrorCode> {}
