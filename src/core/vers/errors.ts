import { CustodyError } from '../errors.js';

/** Codes are public API: never renamed or reused. */
export type VersErrorCode =
  | 'VERS_INVALID'
  | 'VERS_NON_CANONICAL'
  | 'VERS_SCHEME_UNSUPPORTED'
  | 'VERS_TOO_LARGE'
  | 'VERS_NATIVE_INVALID';

/** A vers string (or a native range) that cannot be used as given. */
export class VersError extends CustodyError<VersErrorCode> {}
