import { type Caller, inScope, requirePermission } from '../../access/index.js';
import { InventoryError } from '../../inventory/index.js';
import { findReleaseById, updateRelease } from '../../store/catalogue.js';
import { audit } from '../audit-trail.js';
import { nowIso, type Services } from '../services.js';
import { visibleRelease } from './read-catalogue.js';
import { notFound } from './team-scope.js';
import { type ReleaseView, releaseView } from './views.js';

export interface ReleasePatch {
  deployed?: boolean;
  /** ISO 8601; `now` records a rebuild at the current time. */
  rebuiltAt?: string;
  tag?: string;
  commit?: string;
  /** The change ticket (SOX / SOC 2). */
  ticket?: string;
}

/** Record what happened to a release: deployed or withdrawn, rebuilt, tagged. */
export async function patchRelease(
  s: Services,
  caller: Caller,
  id: number,
  patch: ReleasePatch,
): Promise<ReleaseView> {
  requirePermission(caller.principal, 'inventory:write');
  const r = await visibleRelease(s, caller, id);
  const now = nowIso(s);
  let rebuiltAt: string | undefined;
  if (patch.rebuiltAt !== undefined) {
    const t = patch.rebuiltAt === 'now' ? now : patch.rebuiltAt;
    const d = new Date(t);
    if (Number.isNaN(d.getTime())) {
      throw new InventoryError(
        'INVENTORY_INPUT_INVALID',
        'rebuiltAt must be an ISO 8601 time or "now"',
      );
    }
    rebuiltAt = d.toISOString();
  }
  await s.db.kysely.transaction().execute(async (trx) => {
    // Checked again where it is written: the role and the release's team as they are now.
    requirePermission(caller.principal, 'inventory:write');
    const current = await findReleaseById(trx, id);
    if (!current || !inScope(caller.principal, current.team)) throw notFound(`release ${id}`);
    await updateRelease(trx, id, { ...patch, ...(rebuiltAt !== undefined ? { rebuiltAt } : {}) });
    await audit(
      trx,
      caller,
      {
        action: 'release.update',
        target: `release:${id}`,
        team: r.team,
        details: { ...patch, ...(rebuiltAt ? { rebuiltAt } : {}) },
      },
      now,
    );
  });
  return releaseView(await visibleRelease(s, caller, id));
}
