import { CustodyError } from '../../core/index.js';

export type OsvErrorCode =
  /** Not JSON, or not a JSON object. */
  | 'OSV_PARSE'
  /** The record breaks the OSV schema (`details.errors` lists every problem with its pointer). */
  | 'OSV_RECORD_INVALID'
  /** Over a size limit: bytes, an array's length or a string's length (`details.limit`). */
  | 'OSV_RECORD_TOO_LARGE'
  /** Nested deeper than the limit. */
  | 'OSV_RECORD_TOO_DEEP';

export class OsvError extends CustodyError<OsvErrorCode> {}
