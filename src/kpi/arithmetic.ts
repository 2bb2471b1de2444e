/**
 * The arithmetic every figure shares: pure, so a value is the same whether it is computed at
 * scrape time, in a snapshot or in a test.
 */

/** numerator / denominator; null when there is nothing to divide by (no data is not 0 %). */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

/** The median (mean of the middle two for an even count); null when empty. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The arithmetic mean; null when empty. */
export function mean(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/**
 * Relative change from `before` to `now` ((now − before) / |before|): month over month when
 * `before` is the value 30 days earlier. Null without both values; when `before` is 0 there is no
 * relative change to speak of, except none at all (0).
 */
export function relativeChange(before: number | null, now: number | null): number | null {
  if (before === null || now === null) return null;
  if (before === 0) return now === 0 ? 0 : null;
  return (now - before) / Math.abs(before);
}

/** A dated value: `day` is `YYYY-MM-DD`. */
export interface DayValue {
  day: string;
  value: number | null;
}

/** Days since the Unix epoch of a `YYYY-MM-DD` day. */
export function dayNumber(day: string): number {
  return Math.floor(Date.parse(`${day}T00:00:00Z`) / 86_400_000);
}

/** The UTC day (`YYYY-MM-DD`) an instant falls in. */
export function dayOf(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The day `n` days before `day`. */
export function daysBefore(day: string, n: number): string {
  return new Date((dayNumber(day) - n) * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The trend of a series: the least-squares slope of value against day, per day. Points without a
 * value are left out; null with fewer than two distinct days.
 */
export function trendPerDay(points: readonly DayValue[]): number | null {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const p of points) {
    if (p.value === null) continue;
    xs.push(dayNumber(p.day));
    ys.push(p.value);
  }
  const mx = mean(xs);
  const my = mean(ys);
  if (mx === null || my === null) return null;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = (xs[i] as number) - mx;
    sxx += dx * dx;
    sxy += dx * ((ys[i] as number) - my);
  }
  return sxx === 0 ? null : sxy / sxx;
}

/**
 * Month over month from a series: the last point's value against the newest point at least 30
 * days older (the nearest a month's snapshot can be when a day was missed), as a relative change.
 */
export function monthOverMonth(points: readonly DayValue[]): number | null {
  const sorted = points.filter((p) => p.value !== null).sort((a, b) => (a.day < b.day ? -1 : 1));
  const last = sorted.at(-1);
  if (!last) return null;
  const cutoff = daysBefore(last.day, 30);
  let before: DayValue | undefined;
  for (const p of sorted) if (p.day <= cutoff) before = p;
  return before ? relativeChange(before.value, last.value) : null;
}
