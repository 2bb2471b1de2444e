import type { Worker } from 'node:worker_threads';
import { CustodyError } from '../core/index.js';
import type { LogEntry } from '../tlog/index.js';
import { startWorker } from './worker-thread.js';

type WorkerError =
  | { custody: true; code: string; message: string; details?: Record<string, unknown> }
  | { custody: false; message: string };

type Result = { entry: LogEntry } | { error: WorkerError };

interface Waiting {
  json: unknown;
  maxEnvelopeBytes: number | undefined;
  resolve: (e: LogEntry) => void;
  reject: (e: unknown) => void;
}

/**
 * Worker threads that check proposed log entries (parse, key, signature), so the main thread
 * keeps serving HTTP and sequencing while signatures are verified on the other cores. Entries
 * that arrive in the same turn of the event loop travel to a worker as one message: a message
 * costs about as much as checking a signature.
 */
export class EntryCheckPool {
  private readonly workers: Worker[] = [];
  private readonly inFlight = new Map<number, { worker: Worker; batch: Waiting[] }>();
  private queue: Waiting[] = [];
  private scheduled = false;
  private nextId = 1;
  private turn = 0;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly maxBytes: number,
  ) {}

  /** `maxEnvelopeBytes`: as ParseEntryOptions has it (default the pool's `maxBytes`). */
  check(json: unknown, maxEnvelopeBytes?: number): Promise<LogEntry> {
    if (this.closed) return Promise.reject(new Error('the entry check pool is closed'));
    return new Promise<LogEntry>((resolve, reject) => {
      this.queue.push({ json, maxEnvelopeBytes, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const all = this.queue;
    this.queue = [];
    // Spread the turn's entries over the workers.
    const n = Math.min(this.size, all.length);
    const per = Math.ceil(all.length / n);
    for (let i = 0; i < n; i++) {
      const batch = all.slice(i * per, (i + 1) * per);
      if (batch.length === 0) continue;
      const worker = this.pick();
      const id = this.nextId++;
      this.inFlight.set(id, { worker, batch });
      worker.postMessage({
        id,
        entries: batch.map((w) => w.json),
        maxEnvelopeBytes: batch.map((w) => w.maxEnvelopeBytes),
        maxBytes: this.maxBytes,
      });
    }
  }

  private pick(): Worker {
    if (this.workers.length < this.size) return this.spawn();
    this.turn = (this.turn + 1) % this.workers.length;
    return this.workers[this.turn] as Worker;
  }

  private spawn(): Worker {
    const worker = startWorker(import.meta.url, 'entry-worker');
    worker.on('message', (m: { id: number; results: Result[] }) => {
      const job = this.inFlight.get(m.id);
      if (!job) return;
      this.inFlight.delete(m.id);
      for (const [i, w] of job.batch.entries()) {
        const r = m.results[i];
        if (r === undefined) w.reject(new Error('the entry check worker lost an entry'));
        else if ('entry' in r) w.resolve(revive(r.entry));
        else w.reject(fromWorker(r.error));
      }
    });
    const fail = (e: unknown) => {
      this.workers.splice(this.workers.indexOf(worker), 1);
      for (const [id, job] of this.inFlight) {
        if (job.worker !== worker) continue;
        this.inFlight.delete(id);
        for (const w of job.batch)
          w.reject(e instanceof Error ? e : new Error(`entry check worker exited: ${String(e)}`));
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.workers.includes(worker)) fail(new Error(`entry check worker exited with ${code}`));
    });
    this.workers.push(worker);
    return worker;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}

// Structured clone turns Buffers into plain Uint8Arrays; the store wants Buffers for blobs.
function revive(e: LogEntry): LogEntry {
  return {
    ...e,
    body: Buffer.from(e.body),
    leafHash: Buffer.from(e.leafHash),
    aliasLeafHashes: e.aliasLeafHashes.map((h) => Buffer.from(h)),
  };
}

function fromWorker(e: WorkerError): Error {
  if (e.custody)
    return new CustodyError(e.code, e.message, e.details ? { details: e.details } : {});
  return new Error(`entry check worker failed: ${e.message}`);
}
