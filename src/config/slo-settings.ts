import { CoreError } from '../core/index.js';

/**
 * The admission SLO (CUSTODY_ADMISSION_SLO_*): the share of admission requests to answer without
 * an infrastructure failure, over a rolling window. `/metrics` reports the error-budget burn
 * against it.
 */
export interface SloSettings {
  /** CUSTODY_ADMISSION_SLO_TARGET: 0 < target < 1, e.g. 0.999 (or 99.9%). Default 0.999. */
  target: number;
  /** CUSTODY_ADMISSION_SLO_WINDOW: `30d`, `72h` (1 h to 90 d). Default 30 days. */
  windowHours: number;
}

export const DEFAULT_SLO_SETTINGS: SloSettings = Object.freeze({ target: 0.999, windowHours: 720 });

const MAX_WINDOW_HOURS = 90 * 24;

/** @throws CoreError USAGE naming the variable at fault */
export function loadSloSettings(env: Readonly<Record<string, string | undefined>>): SloSettings {
  return Object.freeze({
    target: parseTarget(env['CUSTODY_ADMISSION_SLO_TARGET']),
    windowHours: parseWindow(env['CUSTODY_ADMISSION_SLO_WINDOW']),
  });
}

function parseTarget(raw: string | undefined): number {
  const v = raw?.trim();
  if (v === undefined || v === '') return DEFAULT_SLO_SETTINGS.target;
  const m = /^(\d{1,3}(?:\.\d{1,9})?)(%?)$/.exec(v);
  const n = m ? Number(m[1]) / (m[2] === '%' ? 100 : 1) : Number.NaN;
  if (!(n > 0 && n < 1))
    throw new CoreError(
      'USAGE',
      `CUSTODY_ADMISSION_SLO_TARGET is a share between 0 and 1 (0.999) or a percentage (99.9%); ${JSON.stringify(v)} is not one`,
    );
  return n;
}

function parseWindow(raw: string | undefined): number {
  const v = raw?.trim();
  if (v === undefined || v === '') return DEFAULT_SLO_SETTINGS.windowHours;
  const m = /^(\d{1,4})([hd])$/.exec(v);
  const hours = m ? Number(m[1]) * (m[2] === 'd' ? 24 : 1) : Number.NaN;
  if (!(hours >= 1 && hours <= MAX_WINDOW_HOURS))
    throw new CoreError(
      'USAGE',
      `CUSTODY_ADMISSION_SLO_WINDOW is a duration of 1h to 90d, in hours or days (30d, 72h); ${JSON.stringify(v)} is not one`,
    );
  return hours;
}
