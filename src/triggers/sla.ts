import { TriggerError } from './errors.js';

/**
 * Response-time commitments, one per kind of deadline. The defaults are the issue's; a team may
 * replace any of them (slaTable). Durations in milliseconds.
 */
export const SLA_KEYS = [
  'cveDraft',
  'privateDisclosure',
  'exploit',
  'workaround',
  'analysis',
  'release',
  'hotfix',
  'rebuild',
  'lockfile',
  'eol',
] as const;
export type SlaKey = (typeof SLA_KEYS)[number];

export interface SlaEntry {
  /** The deadline, counted from the event. */
  withinMs: number;
  /** An alert fires this long after the event when the work is still open. */
  alertAfterMs?: number;
}

export type SlaTable = Readonly<Record<SlaKey, Readonly<SlaEntry>>>;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The defaults, with the seed's or the wording beside each. */
export const DEFAULT_SLA: SlaTable = {
  // "CVE published affecting your components | under_investigation | Within 24-48 hours"
  cveDraft: { withinMs: 48 * HOUR, alertAfterMs: 24 * HOUR },
  // "Private vulnerability disclosed | under_investigation | Immediately"
  privateDisclosure: { withinMs: 1 * HOUR },
  // "Exploit published | Add urgency/severity update | Within hours"
  exploit: { withinMs: 4 * HOUR },
  // "Workaround identified | Add mitigation details | ASAP"
  workaround: { withinMs: 24 * HOUR },
  // "Analysis completed | Within days-weeks"
  analysis: { withinMs: 30 * DAY },
  // "At release", "Immediately" (hotfix), "At rebuild", "At commit" (lock file)
  release: { withinMs: 15 * MINUTE },
  hotfix: { withinMs: 15 * MINUTE },
  rebuild: { withinMs: 15 * MINUTE },
  lockfile: { withinMs: 15 * MINUTE },
  // "EOL announcement | At announcement"
  eol: { withinMs: 24 * HOUR },
};

/** A duration as a team writes it: milliseconds, or `15m`, `48h`, `30d`, `1h30m` (ms s m h d w). */
export type DurationInput = number | string;

export interface SlaOverride {
  within: DurationInput;
  alertAfter?: DurationInput;
}

/**
 * A team's SLA table: the defaults with the team's overrides. Every problem is reported at once.
 *
 * @throws TriggerError TRIGGER_SLA_INVALID (unknown key, malformed or non-positive duration, an
 *   alert not before the deadline)
 */
export function slaTable(overrides: Readonly<Record<string, SlaOverride>> = {}): SlaTable {
  const table: Record<SlaKey, SlaEntry> = { ...DEFAULT_SLA };
  const problems: string[] = [];
  for (const [key, o] of Object.entries(overrides)) {
    if (!(SLA_KEYS as readonly string[]).includes(key)) {
      problems.push(`${key}: not an SLA (one of ${SLA_KEYS.join(', ')})`);
      continue;
    }
    const within = durationMs(o.within);
    const alertAfter = o.alertAfter === undefined ? undefined : durationMs(o.alertAfter);
    if (within === undefined) problems.push(`${key}.within: ${String(o.within)} is not a duration`);
    if (o.alertAfter !== undefined && alertAfter === undefined)
      problems.push(`${key}.alertAfter: ${String(o.alertAfter)} is not a duration`);
    if (within === undefined || (o.alertAfter !== undefined && alertAfter === undefined)) continue;
    if (alertAfter !== undefined && alertAfter >= within)
      problems.push(`${key}.alertAfter must be shorter than within`);
    else
      table[key as SlaKey] =
        alertAfter === undefined
          ? { withinMs: within }
          : { withinMs: within, alertAfterMs: alertAfter };
  }
  if (problems.length > 0) {
    throw new TriggerError(
      'TRIGGER_SLA_INVALID',
      `The SLA table is invalid: ${problems.join('; ')}. Use durations such as 15m, 4h or 30d`,
      { details: { problems } },
    );
  }
  return table;
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: MINUTE,
  h: HOUR,
  d: DAY,
  w: 7 * DAY,
};

/** A positive whole number of milliseconds, or undefined when `d` is not a duration. */
export function durationMs(d: DurationInput): number | undefined {
  if (typeof d === 'number') return Number.isSafeInteger(d) && d > 0 ? d : undefined;
  if (!/^(\d+(ms|s|m|h|d|w))+$/.test(d)) return undefined;
  let total = 0;
  for (const m of d.matchAll(/(\d+)(ms|s|m|h|d|w)/g))
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  return Number.isSafeInteger(total) && total > 0 ? total : undefined;
}
