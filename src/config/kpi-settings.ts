import { CoreError } from '../core/index.js';

/**
 * The KPI snapshots (CUSTODY_KPI_*): `custody serve` takes the day's snapshot at start when it is
 * missing and checks again every interval; snapshots older than the retention are dropped.
 */
export interface KpiSettings {
  /** CUSTODY_KPI_SNAPSHOT_CHECK: how often (`1h`, `30m`; `0`: only at start) the day's snapshot is looked for. Default 1 h. */
  checkIntervalMs: number;
  /** CUSTODY_KPI_RETENTION_DAYS: days of snapshots kept, at least 400 (13 months and more). Default 800. */
  retentionDays: number;
}

/** Trends month over month and year over year need 13 months: nothing shorter is accepted. */
export const MIN_KPI_RETENTION_DAYS = 400;

export const DEFAULT_KPI_SETTINGS: KpiSettings = Object.freeze({
  checkIntervalMs: 3_600_000,
  retentionDays: 800,
});

/** @throws CoreError USAGE naming the variable at fault */
export function loadKpiSettings(env: Readonly<Record<string, string | undefined>>): KpiSettings {
  return Object.freeze({
    checkIntervalMs: parseInterval(env['CUSTODY_KPI_SNAPSHOT_CHECK']),
    retentionDays: parseRetention(env['CUSTODY_KPI_RETENTION_DAYS']),
  });
}

function parseInterval(raw: string | undefined): number {
  const v = raw?.trim();
  if (v === undefined || v === '') return DEFAULT_KPI_SETTINGS.checkIntervalMs;
  if (v === '0') return 0;
  const m = /^(\d{1,4})([mh])$/.exec(v);
  const ms = m ? Number(m[1]) * (m[2] === 'h' ? 3_600_000 : 60_000) : Number.NaN;
  if (!(ms >= 60_000 && ms <= 24 * 3_600_000))
    throw new CoreError(
      'USAGE',
      `CUSTODY_KPI_SNAPSHOT_CHECK is 1m to 24h (30m, 1h), or 0 for at start only; ${JSON.stringify(v)} is not one`,
    );
  return ms;
}

function parseRetention(raw: string | undefined): number {
  const v = raw?.trim();
  if (v === undefined || v === '') return DEFAULT_KPI_SETTINGS.retentionDays;
  const days = /^\d{1,5}$/.test(v) ? Number(v) : Number.NaN;
  if (!(days >= MIN_KPI_RETENTION_DAYS))
    throw new CoreError(
      'USAGE',
      `CUSTODY_KPI_RETENTION_DAYS is a whole number of days, at least ${MIN_KPI_RETENTION_DAYS} so that 13 months of history stay; ${JSON.stringify(v)} is not one`,
    );
  return days;
}
