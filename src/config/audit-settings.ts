import { CoreError } from '../core/index.js';

/** The tamper-evident audit trail's settings (README "Tamper-evident audit trail"). */
export interface AuditSettings {
  /**
   * CUSTODY_AUDIT_ANCHOR_INTERVAL: how often `custody serve` logs the audit chain's head in the
   * transparency log, in ms; 0 turns it off. `3600`, `90s`, `15m`, `1h`, `1d`. Default 1 h.
   */
  anchorIntervalMs: number;
}

export const DEFAULT_AUDIT_SETTINGS: AuditSettings = Object.freeze({ anchorIntervalMs: 3_600_000 });

const UNIT_MS: Record<string, number> = {
  '': 1000,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** @throws CoreError USAGE naming the variable at fault */
export function loadAuditSettings(
  env: Readonly<Record<string, string | undefined>>,
): AuditSettings {
  const v = env['CUSTODY_AUDIT_ANCHOR_INTERVAL']?.trim();
  if (v === undefined || v === '') return DEFAULT_AUDIT_SETTINGS;
  const m = /^(\d{1,7})([smhd]?)$/.exec(v);
  const ms = m ? Number(m[1]) * (UNIT_MS[m[2] as string] as number) : Number.NaN;
  // setInterval holds at most 2^31-1 ms (24.8 days).
  if (!(ms === 0 || (ms >= 1000 && ms <= 2 ** 31 - 1)))
    throw new CoreError(
      'USAGE',
      `CUSTODY_AUDIT_ANCHOR_INTERVAL is a duration of 1s to 24d (3600, 90s, 15m, 1h, 1d), or 0 to turn anchoring off; ${JSON.stringify(v)} is not one`,
    );
  return Object.freeze({ anchorIntervalMs: ms });
}
