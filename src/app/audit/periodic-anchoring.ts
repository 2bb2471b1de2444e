import type { Services } from '../services.js';
import { anchorAuditHead } from './anchor.js';

/**
 * `custody serve`'s anchoring: the audit chain's head logged every `intervalMs` (when it moved).
 * A failed round is reported and tried again at the next; rounds never overlap.
 * @returns stop, which waits for a round under way
 */
export function startPeriodicAnchoring(
  s: Services,
  o: { intervalMs: number; onError: (e: unknown) => void },
): () => Promise<void> {
  if (o.intervalMs <= 0) return async () => {};
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running !== undefined) return;
    running = anchorAuditHead(s)
      .then(() => undefined, o.onError)
      .finally(() => {
        running = undefined;
      });
  }, o.intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
