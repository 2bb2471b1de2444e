import type { Caller } from '../../access/index.js';
import { isCustodyError } from '../../core/index.js';
import { pendingEventFiles, readEventFile, settleEventFile } from '../../fs/event-files.js';
import { TriggerIntakeError } from './errors.js';
import { receiveEvent } from './intake.js';
import type { TriggerRuntime } from './runtime.js';

/** The poller acts for the service itself: its files are on the service's own disk. */
const POLLER: Caller = {
  principal: { actor: 'poller', person: 'poller', role: 'publisher', teams: undefined },
  source: 'events-dir',
};

export interface PollOutcome {
  /** Files taken (new events and repeats alike), moved to done/. */
  done: string[];
  /** Files refused (coded errors), moved to failed/ with an `.error.json`. */
  failed: string[];
}

/**
 * Take every event file waiting in `dir` (the generic JSON of `POST /api/v1/events`), through the
 * same intake as the API: a file whose event was already taken is a repeat and acts once. A file
 * whose handling failed for the service's own reasons (the database) stays for the next poll.
 */
export async function pollEventsOnce(rt: TriggerRuntime, dir: string): Promise<PollOutcome> {
  const out: PollOutcome = { done: [], failed: [] };
  for (const name of pendingEventFiles(dir)) {
    try {
      const raw = readEventFile(dir, name);
      if (raw === undefined) {
        throw new TriggerIntakeError('EVENT_INVALID', 'The event file is over 1 MiB');
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.from(raw).toString('utf8'));
      } catch {
        throw new TriggerIntakeError('EVENT_INVALID', 'The event file is not JSON');
      }
      await receiveEvent(rt, POLLER, 'poller', rt.engine.fromJson(body));
      settleEventFile(dir, name, 'done');
      out.done.push(name);
    } catch (e) {
      if (!isCustodyError(e)) throw e;
      settleEventFile(dir, name, 'failed', {
        error: { code: e.code, message: e.message, details: e.details },
      });
      out.failed.push(name);
    }
  }
  return out;
}

/**
 * Poll `dir` every `intervalMs` until stopped. Failures that are not the file's fault are
 * reported to `onError` and retried at the next poll.
 */
export function startEventPoller(
  rt: TriggerRuntime,
  dir: string,
  o: { intervalMs: number; onError?: (e: unknown) => void },
): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const tick = () => {
    running = pollEventsOnce(rt, dir)
      .then(
        () => undefined,
        (e: unknown) => o.onError?.(e),
      )
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(tick, o.intervalMs);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
