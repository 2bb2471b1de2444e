/** A KPI's value with what it was computed from (null: not observable, or nothing to count). */
export interface Figure {
  value: number | null;
  numerator: number | null;
  denominator: number | null;
}

export const NO_FIGURE: Figure = Object.freeze({ value: null, numerator: null, denominator: null });

/** A count: its value is its numerator; the denominator, when given, is context. */
export function count(numerator: number, denominator: number | null = null): Figure {
  return { value: numerator, numerator, denominator };
}

/** A duration from its samples: the value is their median or mean, the denominator their number. */
export function duration(value: number | null, samples: readonly number[]): Figure {
  let sum = 0;
  for (const x of samples) sum += x;
  return { value, numerator: samples.length ? sum : null, denominator: samples.length };
}
