import { CustodyError } from '../../core/index.js';

export type TriggerIntakeErrorCode =
  /** The event (JSON, webhook payload or file) is not one the service takes. */
  | 'EVENT_INVALID'
  | 'EVENT_NOT_FOUND'
  /** The override asks for what already is (skip a finished action, force a pending one). */
  | 'EVENT_OVERRIDE_CONFLICT'
  /** A webhook for which no secret is configured (401): set one first. */
  | 'WEBHOOK_NOT_CONFIGURED'
  /** A notification webhook setting that is not an https:// or http:// URL with a secret. */
  | 'NOTIFY_WEBHOOK_INVALID'
  /** The scheduled review's `since` is not an RFC 3339 date or date-time. */
  | 'REVIEW_SINCE_INVALID'
  /** A team SLA table that is not `{ name: { within, alertAfter? } }`. */
  | 'SLA_INVALID';

export class TriggerIntakeError extends CustodyError<TriggerIntakeErrorCode> {}
