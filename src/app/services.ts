import { hostname } from 'node:os';
import { join } from 'node:path';
import { type LogKeyType, loadOrCreateLogKey } from '../fs/log-key-file.js';
import { loadOrCreateVexKey } from '../fs/vex-key-file.js';
import type { InventoryStore, PrepareSbom } from '../inventory/index.js';
import type { SigningKey } from '../sign/index.js';
import { BlobStore } from '../store/blobs.js';
import { type Db, openDb } from '../store/db.js';
import { createInventoryStore } from '../store/inventory-store.js';
import { type JobQueue, openJobQueue } from '../store/jobs/index.js';
import { readTlogState } from '../store/tlog.js';
import { MAX_ENTRY_SIZE } from '../tlog/index.js';
import { EntryCheckPool } from '../workers/entry-pool.js';
import { PreparePool } from '../workers/prepare-pool.js';
import { SearchCache } from './inventory/search-cache.js';
import type { ComponentHitView, Page } from './inventory/views.js';
import { TransparencyLog } from './tlog/log.js';
import { LogFace } from './tlog/service.js';

/** What every use case runs against: the database, the blob store, the adapters and a clock. */
export interface Services {
  db: Db;
  blobs: BlobStore;
  /** The inventory's catalogue and component index (inventory/ports.ts). */
  inventory: InventoryStore;
  clock: () => Date;
  /** How ingest reads and checks documents: in-process when absent, else a worker pool. */
  prepare?: PrepareSbom;
  /** Recent search answers, checked against the write generation; absent: no caching. */
  searchCache?: SearchCache<Page<ComponentHitView>>;
  /** The transparency log (opened by `openServices` unless turned off). */
  tlog?: LogFace;
  /** The key published VEX documents are signed with (opened with the log). */
  vexKey?: SigningKey;
  /** Background jobs (pg-boss on PostgreSQL, the in-process runner on SQLite), when asked for. */
  jobs?: JobQueue;
}

export function nowIso(s: Pick<Services, 'clock'>): string {
  return s.clock().toISOString();
}

export interface OpenServicesOptions {
  dataDir: string;
  /** `postgres://…`; undefined: SQLite in the data directory. */
  databaseUrl?: string | undefined;
  /** Blob store root; default `<dataDir>/blobs` (shared storage when several replicas run). */
  blobDir?: string | undefined;
  clock?: () => Date;
  /** Worker threads that read and check pushed documents; 0 (default): on the calling thread. */
  ingestWorkers?: number;
  /** Search answers kept until the next write; 0 (default) turns the cache off. */
  searchCacheEntries?: number;
  /** The transparency log; `false` leaves it closed (CLI commands that only read the inventory). */
  tlog?:
    | false
    | {
        /** Checkpoint origin; default: the stored one, or `<hostname>/custody-log` for a new log. */
        origin?: string | undefined;
        /** PKCS#8 PEM; default `<dataDir>/tlog/log-key.pem`, created on first start. */
        keyPath?: string | undefined;
        keyType?: LogKeyType;
        maxBatch?: number;
        /** Worker threads checking entries' signatures (0: on the main thread). */
        checkWorkers?: number;
        /** PKCS#8 PEM of the VEX-signing key; default `<dataDir>/vex/vex-signing-key.pem`. */
        vexKeyPath?: string | undefined;
      };
  /** Open the job queue (the service does; CLI commands on the data directory do not). */
  jobs?: boolean | { pollMs?: number; onError?: (e: Error) => void };
}

/** Open the database (migrating it) and the blob store the configuration names. */
export async function openServices(
  o: OpenServicesOptions,
): Promise<Services & { close(): Promise<void> }> {
  const db = await openDb({ dataDir: o.dataDir, databaseUrl: o.databaseUrl });
  const blobs = new BlobStore(o.blobDir ?? join(o.dataDir, 'blobs'));
  const pool = o.ingestWorkers ? new PreparePool(o.ingestWorkers) : undefined;
  const clock = o.clock ?? (() => new Date());
  let tlog: LogFace | undefined;
  let vexKey: SigningKey | undefined;
  if (o.tlog !== false) {
    const t = o.tlog ?? {};
    try {
      const origin =
        t.origin ?? (await readTlogState(db.kysely))?.origin ?? `${hostname()}/custody-log`;
      const key = loadOrCreateLogKey(
        t.keyPath ?? join(o.dataDir, 'tlog', 'log-key.pem'),
        t.keyType,
      );
      const log = await TransparencyLog.open({
        db,
        origin,
        key,
        clock,
        ...(t.maxBatch ? { maxBatch: t.maxBatch } : {}),
      });
      tlog = new LogFace(
        log,
        key,
        t.checkWorkers ? new EntryCheckPool(t.checkWorkers, MAX_ENTRY_SIZE) : undefined,
      );
      vexKey = loadOrCreateVexKey(t.vexKeyPath ?? join(o.dataDir, 'vex', 'vex-signing-key.pem'));
    } catch (e) {
      await tlog?.close();
      await pool?.close();
      await db.close();
      throw e;
    }
  }
  let jobs: JobQueue | undefined;
  if (o.jobs) {
    try {
      jobs = await openJobQueue(db, {
        databaseUrl: o.databaseUrl,
        ...(o.jobs === true ? {} : o.jobs),
      });
    } catch (e) {
      await tlog?.close();
      await pool?.close();
      await db.close();
      throw e;
    }
  }
  return {
    db,
    blobs,
    inventory: createInventoryStore(db, blobs),
    clock,
    ...(tlog ? { tlog } : {}),
    ...(vexKey ? { vexKey } : {}),
    ...(jobs ? { jobs } : {}),
    ...(pool ? { prepare: pool.prepare } : {}),
    ...(o.searchCacheEntries ? { searchCache: new SearchCache(o.searchCacheEntries) } : {}),
    async close() {
      await jobs?.stop();
      await tlog?.close();
      await pool?.close();
      await db.close();
    },
  };
}
