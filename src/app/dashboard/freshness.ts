import type { FreshnessSla, FreshnessState } from '../../api/index.js';
import type { TeamSettingsRow } from '../../store/dashboard.js';
import { type SlaOverride, slaTable } from '../../triggers/index.js';

const DAY_MS = 86_400_000;

export interface TeamJudge {
  name: string;
  sla: FreshnessSla;
  /** The team's `analysis` deadline: how long a VEX statement may stay undecided. */
  analysisMs: number;
}

/**
 * Each team's deadlines as freshness and the VEX queue read them: the trigger SLA table
 * (migration 0012; the engine's defaults where the team set none) and its gate's maxAgeDays.
 * A stored table the engine no longer accepts falls back to the defaults rather than failing
 * every dashboard read.
 */
export function teamJudges(rows: readonly TeamSettingsRow[]): Map<number, TeamJudge> {
  const out = new Map<number, TeamJudge>();
  for (const r of rows) {
    let table = slaTable();
    try {
      if (r.sla !== null) table = slaTable(JSON.parse(r.sla) as Record<string, SlaOverride>);
    } catch {
      // keep the defaults (see above)
    }
    out.set(r.id, {
      name: r.name,
      sla: {
        releaseSeconds: table.release.withinMs / 1000,
        rebuildSeconds: table.rebuild.withinMs / 1000,
        maxAgeDays: maxAgeDaysOf(r.gate_policy),
      },
      analysisMs: table.analysis.withinMs,
    });
  }
  return out;
}

export interface FreshnessFacts {
  createdAt: string;
  rebuiltAt: string | null;
  /** The newest current SBOM's time; null without one. */
  newest: string | null;
}

/** A release's freshness against its team's SLA (the rules are on FreshnessState). */
export function freshnessOf(f: FreshnessFacts, sla: FreshnessSla, now: Date): FreshnessState {
  const t = now.getTime();
  if (f.newest === null)
    return t - Date.parse(f.createdAt) <= sla.releaseSeconds * 1000 ? 'due' : 'missing';
  const newest = Date.parse(f.newest);
  if (f.rebuiltAt !== null && newest < Date.parse(f.rebuiltAt))
    return t - Date.parse(f.rebuiltAt) <= sla.rebuildSeconds * 1000 ? 'due' : 'stale';
  if (sla.maxAgeDays !== null && (t - newest) / DAY_MS > sla.maxAgeDays) return 'stale';
  return 'fresh';
}

/** Age in days, one decimal; null without an SBOM. */
export function ageDays(newest: string | null, now: Date): number | null {
  if (newest === null) return null;
  return Math.round(((now.getTime() - Date.parse(newest)) / DAY_MS) * 10) / 10;
}

export const DEFAULT_JUDGE: TeamJudge = teamJudges([
  { id: 0, name: '', gate_policy: null, slsa_settings: null, sla: null },
]).get(0) as TeamJudge;

function maxAgeDaysOf(gatePolicy: string | null): number | null {
  if (gatePolicy === null) return null;
  try {
    const v = (JSON.parse(gatePolicy) as { maxAgeDays?: unknown }).maxAgeDays;
    return typeof v === 'number' ? v : null;
  } catch {
    return null;
  }
}
