import { createHmac } from 'node:crypto';
import type { HttpClient } from './http.js';

/** The headers of an outgoing notification. */
export const SIGNATURE_HEADER = 'x-custody-signature';
export const DELIVERY_HEADER = 'x-custody-delivery';
export const TIMESTAMP_HEADER = 'x-custody-timestamp';
export const EVENT_HEADER = 'x-custody-event';

/** `sha256=<hex>`: HMAC-SHA256 of the raw body under the shared secret (GitHub's scheme). */
export function signWebhookBody(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface SignedWebhook {
  url: string;
  secret: string;
  /** The JSON text, sent and signed byte for byte. */
  body: string;
  /** The same on every attempt, so the receiver can drop repeats. */
  deliveryId: string;
  /** What the body is (`trigger.decision`, `alert.action-failed`, …). */
  event: string;
  /** Unix seconds of this attempt. */
  timestamp: number;
}

/**
 * POST one signed notification through Custody's HTTP client (time-out, a few quick retries,
 * circuit breaker per receiver). A 2xx answer is delivered; any other answer throws, so that the
 * job that sends it is retried later.
 * @throws Error naming the status; NetError when the receiver did not answer
 */
export async function sendSignedWebhook(http: HttpClient, w: SignedWebhook): Promise<number> {
  const { response } = await http.request(w.url, {
    method: 'POST',
    // The delivery id makes a repeat harmless to the receiver.
    idempotent: true,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'custody-webhook',
      [SIGNATURE_HEADER]: signWebhookBody(w.secret, w.body),
      [DELIVERY_HEADER]: w.deliveryId,
      [TIMESTAMP_HEADER]: String(w.timestamp),
      [EVENT_HEADER]: w.event,
    },
    body: w.body,
  });
  await response.body?.cancel();
  if (response.status < 200 || response.status > 299) {
    throw new Error(`${new URL(w.url).origin} answered ${response.status} to a notification`);
  }
  return response.status;
}
