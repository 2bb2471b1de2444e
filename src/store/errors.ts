import { CustodyError } from '../core/index.js';

export type StoreErrorCode =
  | 'STORE_UNAVAILABLE'
  | 'STORE_MIGRATION_FAILED'
  | 'STORE_CONFLICT'
  | 'BLOB_MISSING'
  | 'BLOB_CORRUPT';

/** Failures of the database or the blob store that a user can act on (a URL, a path, a disk). */
export class StoreError extends CustodyError<StoreErrorCode> {}
