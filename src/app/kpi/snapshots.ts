import type { Caller } from '../../access/index.js';
import { requirePermission } from '../../access/index.js';
import type { KpiSettings, SloSettings } from '../../config/index.js';
import { dayOf, daysBefore } from '../../kpi/index.js';
import type { Q } from '../../store/db.js';
import {
  allTeams,
  deleteSnapshotsOf,
  hasSnapshot,
  insertSnapshots,
  pruneSnapshots,
} from '../../store/kpi.js';
import { audit } from '../audit-trail.js';
import { recheckCaller } from '../recheck-caller.js';
import type { Services } from '../services.js';
import { computeKpis, type KpiScope } from './compute.js';

export interface SnapshotResult {
  day: string;
  /** False when the day's snapshot was there already (nothing changed). */
  taken: boolean;
  rows: number;
  /** Snapshots dropped for being older than the retention. */
  pruned: number;
}

/**
 * The day's snapshot, organisation-wide and per team, unless it was taken: idempotent per day,
 * so every replica may run it at start and on its timer. Snapshots past the retention go.
 */
export async function snapshotIfMissing(
  s: Services,
  o: { slo: SloSettings; retentionDays: number },
): Promise<SnapshotResult> {
  const now = s.clock();
  const day = dayOf(now);
  if (await hasSnapshot(s.db.read, day)) return { day, taken: false, rows: 0, pruned: 0 };
  const rows = await figureRows(s.db.read, now, o.slo);
  return s.db.kysely.transaction().execute(async (trx) => {
    const inserted = await insertSnapshots(trx, rows);
    const pruned = await pruneSnapshots(trx, daysBefore(day, o.retentionDays));
    return { day, taken: inserted > 0, rows: inserted, pruned };
  });
}

/**
 * `POST /api/v1/kpis/snapshot`: take the day's snapshot again now (an admin after a correction,
 * or to start the history without waiting for the timer). Audited.
 * @throws AccessError AUTH_FORBIDDEN (not an admin), AUTH_TOKEN_INVALID
 */
export async function retakeSnapshot(
  s: Services,
  caller: Caller,
  o: { slo: SloSettings; retentionDays: number },
): Promise<SnapshotResult> {
  requirePermission(caller.principal, 'admin');
  const now = s.clock();
  const at = now.toISOString();
  const day = dayOf(now);
  const rows = await figureRows(s.db.read, now, o.slo);
  return s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, at);
    requirePermission(caller.principal, 'admin');
    await deleteSnapshotsOf(trx, day);
    const inserted = await insertSnapshots(trx, rows);
    const pruned = await pruneSnapshots(trx, daysBefore(day, o.retentionDays));
    await audit(
      trx,
      caller,
      {
        action: 'kpi.snapshot',
        target: `kpi-snapshot:${day}`,
        details: { rows: inserted, pruned },
      },
      at,
    );
    return { day, taken: true, rows: inserted, pruned };
  });
}

async function figureRows(q: Q, now: Date, slo: SloSettings) {
  const day = dayOf(now);
  const takenAt = now.toISOString();
  const scopes: KpiScope[] = [
    { team: null },
    ...(await allTeams(q)).map((t) => ({ team: t.name, teamId: t.id })),
  ];
  const rows = [];
  for (const scope of scopes) {
    const figures = await computeKpis(q, scope, now, slo);
    for (const [kpi, f] of figures) {
      // A team's row for an organisation-wide figure would only ever be empty.
      if (scope.team !== null && f.value === null && f.numerator === null) continue;
      rows.push({ day, kpi, team: scope.team, ...f, taken_at: takenAt });
    }
  }
  return rows;
}

/**
 * `custody serve`: the day's snapshot at start when it is missing, then a look every
 * `checkIntervalMs` (a new day gets its snapshot within one interval). Returns a stop function.
 */
export function startKpiSnapshots(
  s: Services,
  o: KpiSettings & { slo: SloSettings; onError?: (e: unknown) => void },
): { first: Promise<unknown>; stop: () => void } {
  let running: Promise<unknown> | undefined;
  const tick = () => {
    running ??= snapshotIfMissing(s, o)
      .catch((e: unknown) => o.onError?.(e))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const first = tick();
  const timer = o.checkIntervalMs > 0 ? setInterval(tick, o.checkIntervalMs) : undefined;
  timer?.unref();
  return { first, stop: () => clearInterval(timer) };
}
