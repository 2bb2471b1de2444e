import { canonicalize, sha256Hex } from '../core/index.js';
import type { TriggerEvent } from './events.js';

/** Fields that say how and when an event was heard of, not what happened. */
const NOT_IDENTITY = new Set(['at', 'source', 'context']);

/**
 * The event's idempotency key, `sha256:<hex>` of the canonical JSON (RFC 8785) of what happened:
 * the same event heard twice (a webhook redelivered, a poller and a webhook) gets the same id.
 * The time, the source and the context (commit message) are left out. A release is identified by
 * product and version alone, so the tag push, the tag `create` and the release webhooks GitHub
 * sends for one release act once; a rebuild is told apart by its flag and digest.
 */
export function eventId(event: TriggerEvent): string {
  const identity =
    event.kind === 'release'
      ? {
          kind: event.kind,
          product: event.product,
          version: event.version.replace(/^v/, ''),
          // A rebuild is the same version again: its artifact tells it from the first build.
          rebuild: event.rebuild === true ? true : undefined,
          digest: event.rebuild === true ? event.digest : undefined,
        }
      : Object.fromEntries(Object.entries(event).filter(([k]) => !NOT_IDENTITY.has(k)));
  return `sha256:${sha256Hex(canonicalize(identity))}`;
}
