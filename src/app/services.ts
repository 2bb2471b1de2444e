import { join } from 'node:path';
import { BlobStore } from '../store/blobs.js';
import { openDb } from '../store/db.js';
import type { Services } from './inventory/context.js';
import { PreparePool } from './inventory/prepare-pool.js';
import { SearchCache } from './inventory/search-cache.js';

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
}

/** Open the database (migrating it) and the blob store the configuration names. */
export async function openServices(
  o: OpenServicesOptions,
): Promise<Services & { close(): Promise<void> }> {
  const db = await openDb({ dataDir: o.dataDir, databaseUrl: o.databaseUrl });
  const blobs = new BlobStore(o.blobDir ?? join(o.dataDir, 'blobs'));
  const pool = o.ingestWorkers ? new PreparePool(o.ingestWorkers) : undefined;
  return {
    db,
    blobs,
    clock: o.clock ?? (() => new Date()),
    ...(pool ? { prepare: pool.prepare } : {}),
    ...(o.searchCacheEntries ? { searchCache: new SearchCache(o.searchCacheEntries) } : {}),
    async close() {
      await pool?.close();
      await db.close();
    },
  };
}
