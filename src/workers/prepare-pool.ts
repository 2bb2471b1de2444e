import type { Worker } from 'node:worker_threads';
import { CustodyError } from '../core/index.js';
import type { PreparedSbom } from '../inventory/index.js';
import type { GatePolicy } from '../sbom/quality/index.js';
import { type PreparedWire, preparedFromWire } from './prepare-wire.js';
import { startWorker } from './worker-thread.js';

interface Pending {
  resolve: (r: PreparedSbom) => void;
  reject: (e: unknown) => void;
  worker: Worker;
}

/**
 * Worker threads for the CPU-heavy half of ingest (parse, schema validation, scoring, index rows),
 * so that the main thread keeps answering searches and writing to the database while documents
 * are read. Workers start on first use; a worker that dies fails its requests and is replaced.
 */
export class PreparePool {
  private readonly workers: Worker[] = [];
  private readonly load = new Map<Worker, number>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly size: number) {}

  prepare = (bytes: Uint8Array, nowIso: string, policy: GatePolicy): Promise<PreparedSbom> => {
    if (this.closed) return Promise.reject(new Error('the prepare pool is closed'));
    const worker = this.pick();
    const id = this.nextId++;
    return new Promise<PreparedSbom>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      this.load.set(worker, (this.load.get(worker) ?? 0) + 1);
      worker.postMessage({ id, bytes, nowIso, policy });
    });
  };

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }

  private pick(): Worker {
    if (this.workers.length < this.size) return this.spawn();
    return this.workers.reduce((a, b) =>
      (this.load.get(a) ?? 0) <= (this.load.get(b) ?? 0) ? a : b,
    );
  }

  private spawn(): Worker {
    const worker = startWorker(import.meta.url, 'prepare-worker');
    worker.on('message', (m: { id: number; result?: PreparedWire; error?: WorkerError }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      this.load.set(worker, (this.load.get(worker) ?? 1) - 1);
      if (m.error) p.reject(fromWorker(m.error));
      else p.resolve(preparedFromWire(m.result as PreparedWire));
    });
    const fail = (e: unknown) => {
      this.workers.splice(this.workers.indexOf(worker), 1);
      this.load.delete(worker);
      for (const [id, p] of this.pending) {
        if (p.worker !== worker) continue;
        this.pending.delete(id);
        p.reject(e instanceof Error ? e : new Error(`ingest worker exited: ${String(e)}`));
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.workers.includes(worker)) fail(new Error(`ingest worker exited with code ${code}`));
    });
    this.workers.push(worker);
    this.load.set(worker, 0);
    return worker;
  }
}

type WorkerError =
  | { custody: true; code: string; message: string; details?: Record<string, unknown> }
  | { custody: false; message: string };

function fromWorker(e: WorkerError): Error {
  if (e.custody)
    return new CustodyError(e.code, e.message, e.details ? { details: e.details } : {});
  return new Error(`ingest worker failed: ${e.message}`);
}
