import { CustodyError } from '../../core/index.js';

/**
 * Codes of signatures made while the transparency log was down (`custody sign --log-later`) and
 * uploaded afterwards (`custody log upload`). Public API: never renamed or reused.
 */
export type LogLaterErrorCode =
  /** A spooled entry that is not one Custody wrote (damaged, edited, another version). */
  | 'LOG_LATER_SPOOL_INVALID'
  /**
   * The log answered, but the entry it returned does not verify against the log's key (wrong
   * inclusion proof or signed entry timestamp): the bundle is not completed with it.
   */
  | 'LOG_LATER_ENTRY_UNVERIFIED';

export class LogLaterError extends CustodyError<LogLaterErrorCode> {}
