import { type Dialect, pingDb } from '../store/db.js';
import type { Services } from './services.js';

export interface DatabaseHealth {
  reachable: boolean;
  dialect: Dialect;
}

/** Whether the database answers, for `/healthz`; never throws. */
export async function databaseHealth(s: Services): Promise<DatabaseHealth> {
  try {
    await pingDb(s.db);
    return { reachable: true, dialect: s.db.dialect };
  } catch {
    return { reachable: false, dialect: s.db.dialect };
  }
}
