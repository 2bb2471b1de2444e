import type { Principal } from '../../inventory/roles.js';
import { recordAudit } from '../../store/audit.js';
import type { BlobStore } from '../../store/blobs.js';
import type { Db } from '../../store/db.js';
import type { Q } from '../../store/inventory.js';
import type { LogFace } from '../tlog/service.js';
import type { PrepareSbom } from './prepare.js';
import type { Page } from './queries.js';
import type { SearchCache } from './search-cache.js';
import type { ComponentHitView } from './views.js';

/** What every inventory use case runs against: the database, the blob store and a clock. */
export interface Services {
  db: Db;
  blobs: BlobStore;
  clock: () => Date;
  /** How ingest reads and checks documents: in-process when absent, else a worker pool. */
  prepare?: PrepareSbom;
  /** Recent search answers, checked against the write generation; absent: no caching. */
  searchCache?: SearchCache<Page<ComponentHitView>>;
  /** The transparency log (opened by `openServices` unless turned off). */
  tlog?: LogFace;
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

/** What a caller wrote, for the audit trail; who and from where come from the caller. */
export interface WriteRecord {
  action: string;
  target: string;
  team?: string;
  details: Record<string, unknown>;
}

/** Record a write in the audit trail, inside the write's own transaction. */
export async function audit(q: Q, caller: Caller, w: WriteRecord, at: string): Promise<void> {
  await recordAudit(
    q,
    {
      actor: caller.principal.actor,
      role: caller.principal.role,
      source: caller.source,
      ...w,
    },
    at,
  );
}
