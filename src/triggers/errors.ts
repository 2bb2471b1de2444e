import { CustodyError } from '../core/index.js';

/**
 * The triggers domain's codes (public API, never renamed or reused):
 * - TRIGGER_EVENT_INVALID: an event (generic JSON) breaks the event model; every problem listed.
 * - TRIGGER_SLA_INVALID: a team's SLA table has a non-positive or malformed duration.
 * - WEBHOOK_PAYLOAD_INVALID: a GitHub or GitLab webhook body is not the shape its event names.
 * - WEBHOOK_SIGNATURE_INVALID: the HMAC signature or token is missing or does not match.
 */
export type TriggerErrorCode =
  | 'TRIGGER_EVENT_INVALID'
  | 'TRIGGER_SLA_INVALID'
  | 'WEBHOOK_PAYLOAD_INVALID'
  | 'WEBHOOK_SIGNATURE_INVALID';

export class TriggerError extends CustodyError<TriggerErrorCode> {}
