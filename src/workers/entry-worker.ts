import { parentPort } from 'node:worker_threads';
import { CustodyError } from '../core/index.js';
import { parseProposedEntry } from '../tlog/index.js';

/** A batch of proposed entries from EntryCheckPool, answered in the same order. */
interface Request {
  id: number;
  entries: unknown[];
  /** Per entry; undefined: `maxBytes`. */
  maxEnvelopeBytes?: (number | undefined)[];
  maxBytes: number;
}

parentPort?.on('message', (m: Request) => {
  const results = m.entries.map((json, i) => {
    const maxEnvelopeBytes = m.maxEnvelopeBytes?.[i];
    try {
      return {
        entry: parseProposedEntry(json, {
          maxBytes: m.maxBytes,
          ...(maxEnvelopeBytes !== undefined ? { maxEnvelopeBytes } : {}),
        }),
      };
    } catch (e) {
      return {
        error:
          e instanceof CustodyError
            ? { custody: true, code: e.code, message: e.message, details: e.details }
            : { custody: false, message: (e as Error)?.stack ?? String(e) },
      };
    }
  });
  parentPort?.postMessage({ id: m.id, results });
});
