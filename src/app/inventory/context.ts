import type { Principal } from '../../inventory/roles.js';
import type { BlobStore } from '../../store/blobs.js';
import type { Db } from '../../store/db.js';
import type { PrepareSbom } from './prepare.js';

/** What every inventory use case runs against: the database, the blob store and a clock. */
export interface Services {
  db: Db;
  blobs: BlobStore;
  clock: () => Date;
  /** How ingest reads and checks documents: in-process when absent, else a worker pool. */
  prepare?: PrepareSbom;
}

/** Who is asking and from where; every write records both in the audit trail. */
export interface Caller {
  principal: Principal;
  /** Client address, or `cli` for commands run on the data directory. */
  source: string;
}

export function nowIso(s: Services): string {
  return s.clock().toISOString();
}
