import { join } from 'node:path';
import { BlobStore } from '../store/blobs.js';
import { openDb } from '../store/db.js';
import type { Services } from './inventory/context.js';

export interface OpenServicesOptions {
  dataDir: string;
  /** `postgres://…`; undefined: SQLite in the data directory. */
  databaseUrl?: string | undefined;
  /** Blob store root; default `<dataDir>/blobs` (shared storage when several replicas run). */
  blobDir?: string | undefined;
  clock?: () => Date;
}

/** Open the database (migrating it) and the blob store the configuration names. */
export async function openServices(
  o: OpenServicesOptions,
): Promise<Services & { close(): Promise<void> }> {
  const db = await openDb({ dataDir: o.dataDir, databaseUrl: o.databaseUrl });
  const blobs = new BlobStore(o.blobDir ?? join(o.dataDir, 'blobs'));
  return { db, blobs, clock: o.clock ?? (() => new Date()), close: () => db.close() };
}
