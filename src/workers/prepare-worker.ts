import { parentPort } from 'node:worker_threads';
import { CustodyError } from '../core/index.js';
import { prepareSbom } from '../inventory/index.js';
import { preparedToWire } from './prepare-wire.js';

/** One prepare request from PreparePool, answered with the same id. */
interface Request {
  id: number;
  bytes: Uint8Array;
  nowIso: string;
  policy: Parameters<typeof prepareSbom>[2];
}

parentPort?.on('message', (m: Request) => {
  prepareSbom(m.bytes, m.nowIso, m.policy).then(
    (result) => parentPort?.postMessage({ id: m.id, result: preparedToWire(result) }),
    (e: unknown) =>
      parentPort?.postMessage({
        id: m.id,
        error:
          e instanceof CustodyError
            ? { custody: true, code: e.code, message: e.message, details: e.details }
            : { custody: false, message: (e as Error)?.stack ?? String(e) },
      }),
  );
});
