import { countOverdueActions } from '../../store/trigger-events.js';
import type { Services } from '../services.js';

/** Trigger actions past their deadline and not done (pending or failed), across all teams. */
export async function overdueActionCount(s: Services): Promise<number> {
  return countOverdueActions(s.db.read, s.clock().toISOString());
}
