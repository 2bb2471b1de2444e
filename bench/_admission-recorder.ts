/**
 * The decision recorder in-process, as the webhook drives it at 2,000 reviews/s (20 decisions
 * handed over every 10 ms, each a pod of 8 admitted images from a registered cluster), on a fresh
 * SQLite store: event-loop time held inside its transactions (SQLite commits, and syncs, on the
 * calling thread), CPU and transactions per decision. `npm run bench -- admission` prints it for
 * the service's recorder beside the recorder as it was before issue [11] (a drain every loop
 * turn, 32 decisions a batch, Kysely multi-row inserts), alternating runs, median of each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdmissionDecision } from '../src/admission/types.js';
import { createDecisionRecorder } from '../src/app/admission/records/recorder.js';
import { openServices } from '../src/app/services.js';
import { median } from './_harness.js';

export interface RecorderFigures {
  /** Event-loop time inside the recorder's transactions, µs per decision. */
  heldUs: number;
  cpuUs: number;
  perTransaction: number;
}

type Shape = 'service' | 'before';

async function once(shape: Shape, n: number): Promise<RecorderFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'custody-bench-recorder-'));
  const s = await openServices({ dataDir: dir, tlog: false });
  try {
    let transactions = 0;
    let held = 0;
    const kysely = s.db.kysely;
    const begin = kysely.transaction.bind(kysely);
    // Counted at the recorder's one call site: each transaction and the time inside it.
    (kysely as unknown as { transaction: () => unknown }).transaction = () => {
      transactions++;
      const b = begin();
      return {
        execute: async <T>(f: Parameters<typeof b.execute<T>>[0]) => {
          const t = performance.now();
          try {
            return await b.execute(f);
          } finally {
            held += performance.now() - t;
          }
        },
      };
    };
    const r =
      shape === 'service'
        ? // What open-admission.ts sets.
          createDecisionRecorder(s, { deploymentRefreshMs: 60_000, lingerMs: 50, maxBatch: 256 })
        : createDecisionRecorder(withoutSqliteHandle(s), {
            deploymentRefreshMs: 60_000,
            maxBatch: 32,
          });
    const digests = Array.from({ length: 8 }, (_, i) => `sha256:${String(i).repeat(64)}`);
    const decision = (k: number): AdmissionDecision => ({
      uid: `u${k}`,
      api: 'admission-review',
      cluster: 'bench',
      namespace: 'ns',
      workload: 'Pod/web',
      operation: 'CREATE',
      dryRun: false,
      mode: 'enforce',
      modeSource: 'default',
      allowed: true,
      images: digests.map((g, i) => ({
        image: `registry.local/img${i}@${g}`,
        digest: g,
        outcome: 'pass',
        message: 'signed by a trusted identity, with an SBOM',
        cached: true,
        effect: 'allow',
      })),
      degraded: false,
      warnings: [],
      at: new Date().toISOString(),
    });
    const cpu = process.cpuUsage();
    for (let k = 0; k < n; k += 20) {
      for (let j = 0; j < 20; j++) void r.record(decision(k + j));
      await new Promise((res) => setTimeout(res, 10));
    }
    await r.close();
    const c = process.cpuUsage(cpu);
    return {
      heldUs: (held * 1000) / n,
      cpuUs: (c.user + c.system) / n,
      perTransaction: n / transactions,
    };
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The services without the writer's own handle: the recorder then takes Kysely's path. */
function withoutSqliteHandle<S extends { db: { sqlite?: unknown } }>(s: S): S {
  const { sqlite: _, ...db } = s.db;
  return { ...s, db };
}

/** `runs` runs of each shape, alternating; the medians. */
export async function measureRecorder(
  runs: number,
  n = 10_000,
): Promise<Record<Shape, RecorderFigures>> {
  const got: Record<Shape, RecorderFigures[]> = { service: [], before: [] };
  for (let i = 0; i < runs; i++)
    for (const shape of ['before', 'service'] as const) got[shape].push(await once(shape, n));
  const med = (xs: RecorderFigures[]): RecorderFigures => ({
    heldUs: median(xs.map((x) => x.heldUs)),
    cpuUs: median(xs.map((x) => x.cpuUs)),
    perTransaction: median(xs.map((x) => x.perTransaction)),
  });
  return { service: med(got.service), before: med(got.before) };
}
