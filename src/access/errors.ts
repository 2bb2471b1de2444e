import { CustodyError } from '../core/index.js';

export type AccessErrorCode =
  /** The request carries no bearer token where one is needed. */
  | 'AUTH_TOKEN_MISSING'
  /** The caller's token is missing, unknown, expired or revoked. */
  | 'AUTH_TOKEN_INVALID'
  /** The caller's role or teams do not allow this. */
  | 'AUTH_FORBIDDEN'
  /** A decision that needs a second person was made by the person who asked for it. */
  | 'AUTH_SAME_PERSON';

export class AccessError extends CustodyError<AccessErrorCode> {}
