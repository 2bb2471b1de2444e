import { InventoryError } from '../../inventory/errors.js';
import { parseGatePolicy } from '../../sbom/quality/index.js';
import { ensureTeam, findTeam, updateRelease } from '../../store/inventory.js';
import { requirePermission } from './access.js';
import { audit, type Caller, nowIso, type Services } from './context.js';
import { visibleRelease } from './queries.js';
import { type ReleaseView, releaseView, type TeamView, teamView } from './views.js';

const TEAM = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** @throws InventoryError INVENTORY_INPUT_INVALID for a malformed team name */
export function checkTeamName(name: string): void {
  if (!TEAM.test(name)) {
    throw new InventoryError(
      'INVENTORY_INPUT_INVALID',
      'A team name is 1–63 lower-case letters, digits, dots, dashes or underscores',
      { details: { team: name } },
    );
  }
}

export async function createTeam(
  s: Services,
  caller: Caller,
  name: string,
): Promise<{ team: TeamView; created: boolean }> {
  requirePermission(caller, 'admin');
  checkTeamName(name);
  const now = nowIso(s);
  return s.db.kysely.transaction().execute(async (trx) => {
    const existing = await findTeam(trx, name);
    if (existing) return { team: teamView(existing), created: false };
    await ensureTeam(trx, name, now);
    await audit(
      trx,
      caller,
      {
        action: 'team.create',
        target: `team:${name}`,
        team: name,
        details: {},
      },
      now,
    );
    const row = await findTeam(trx, name);
    return { team: teamView(row as NonNullable<typeof row>), created: true };
  });
}

/**
 * Set a team's SBOM gate: the YAML (or JSON) policy format of `custody sbom check --policy`.
 * @throws SbomError SBOM_POLICY_INVALID; InventoryError INVENTORY_NOT_FOUND
 */
export async function setGatePolicy(
  s: Services,
  caller: Caller,
  team: string,
  text: string,
): Promise<TeamView> {
  requirePermission(caller, 'admin');
  const policy = parseGatePolicy(text, `gate policy of team ${team}`);
  const now = nowIso(s);
  return s.db.kysely.transaction().execute(async (trx) => {
    const t = await findTeam(trx, team);
    if (!t) throw new InventoryError('INVENTORY_NOT_FOUND', `team ${team} does not exist`);
    await trx
      .updateTable('teams')
      .set({ gate_policy: JSON.stringify(policy) })
      .where('id', '=', t.id)
      .execute();
    await audit(
      trx,
      caller,
      {
        action: 'team.gate-policy',
        target: `team:${team}`,
        team,
        details: { policy },
      },
      now,
    );
    return teamView({ ...t, gate_policy: JSON.stringify(policy) });
  });
}

export interface ReleasePatch {
  deployed?: boolean;
  /** ISO 8601; `now` records a rebuild at the current time. */
  rebuiltAt?: string;
  tag?: string;
  commit?: string;
}

/** Record what happened to a release: deployed or withdrawn, rebuilt, tagged. */
export async function patchRelease(
  s: Services,
  caller: Caller,
  id: number,
  patch: ReleasePatch,
): Promise<ReleaseView> {
  requirePermission(caller, 'inventory:write');
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
