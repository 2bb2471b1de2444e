// Figures as a person reads them, and their change over a month in words (src/api/kpi.ts).
import type { KpiDefinition, KpiValue } from '../../../src/api/index.js';

export function formatKpi(unit: KpiDefinition['unit'], v: number | null): string {
  if (v === null) return '—';
  switch (unit) {
    case 'ratio':
      return `${Math.round(v * 1000) / 10}%`;
    case 'duration':
      return v >= 86_400
        ? `${(v / 86_400).toFixed(1)} d`
        : v >= 3600
          ? `${(v / 3600).toFixed(1)} h`
          : `${Math.round(v)} s`;
    case 'rate':
      return `${v.toFixed(2)}/day`;
    default:
      return new Intl.NumberFormat('en').format(v);
  }
}

/** Change against 30 days before, in words, and whether it went the way that is good for it. */
export function monthOverMonth(
  d: KpiDefinition,
  v: KpiValue | null,
): { text: string; good: boolean | null } {
  if (!v || v.value === null || v.previous === null) return { text: 'no history yet', good: null };
  const delta = v.value - v.previous;
  if (delta === 0) return { text: 'unchanged over 30 days', good: null };
  const amount =
    d.unit === 'ratio'
      ? `${(Math.abs(delta) * 100).toFixed(1)} pts`
      : formatKpi(d.unit, Math.abs(delta));
  return {
    text: `${delta > 0 ? '▲ up' : '▼ down'} ${amount} over 30 days`,
    good: delta > 0 === d.higherIsBetter,
  };
}
