/**
 * Error-budget burn of the admission SLO: a target share of admission requests answered without
 * an infrastructure failure (an image whose evidence could not be read and had no stand-in),
 * over a rolling window. Burn rate = error rate / (1 − target): 1 spends the budget exactly over
 * the window, 14.4 over a 30-day window spends 2 % of it in an hour (the usual fast-burn page).
 * Pure: the store hands in hourly counts.
 */

export interface SloObjective {
  /** 0 < target < 1, e.g. 0.999. */
  target: number;
  /** The rolling window, in hours. */
  windowHours: number;
}

export interface HourCount {
  /** `YYYY-MM-DDTHH` (UTC). */
  hour: string;
  decisions: number;
  /** Decisions with an infrastructure failure. */
  bad: number;
}

export interface SloBurn {
  decisions: number;
  bad: number;
  /** bad / decisions over the window; 0 with no decisions. */
  errorRate: number;
  /** errorRate / (1 − target) over the window. */
  burnRate: number;
  /** The same over the last hour (fast burn). */
  burnRate1h: number;
  /** The same over the last 6 hours. */
  burnRate6h: number;
  /** Share of the window's budget left: 1 − bad / (decisions · (1 − target)); may go below 0. */
  budgetRemaining: number;
}

/**
 * @param now the end of the window; hours are counted when they start within the window
 *   (the current hour included)
 */
export function computeSloBurn(o: SloObjective, hours: readonly HourCount[], now: Date): SloBurn {
  const allowed = 1 - o.target;
  const over = (h: number) => {
    const from = hourKey(new Date(now.getTime() - (h - 1) * 3_600_000));
    let decisions = 0;
    let bad = 0;
    for (const x of hours)
      if (x.hour >= from) {
        decisions += x.decisions;
        bad += x.bad;
      }
    return { decisions, bad, rate: decisions === 0 ? 0 : bad / decisions };
  };
  const w = over(o.windowHours);
  return {
    decisions: w.decisions,
    bad: w.bad,
    errorRate: w.rate,
    burnRate: w.rate / allowed,
    burnRate1h: over(1).rate / allowed,
    burnRate6h: over(Math.min(6, o.windowHours)).rate / allowed,
    budgetRemaining: w.decisions === 0 ? 1 : 1 - w.bad / (w.decisions * allowed),
  };
}

/** The hour an instant falls in, as the store keys it. */
export function hourKey(d: Date): string {
  return d.toISOString().slice(0, 13);
}

/** The median of a list (mean of the middle two for an even count); null when empty. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
