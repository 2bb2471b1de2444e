// Reading /api/v1/kpis and /api/v1/kpis/{id}/history into the contract's shapes (src/api/kpi.ts).
// The listing pairs each definition with its value; both spellings the KPI routes may answer with
// (`{ items: [{ definition, value }] }` or `{ items: [definition & { value }] }`) are read.
import type { KpiDefinition, KpiPoint, KpiValue } from '../../../src/api/index.js';

export interface KpiRow {
  definition: KpiDefinition;
  value: KpiValue | null;
}

type Listed = { definition?: KpiDefinition; value?: KpiValue | null } & Partial<KpiDefinition>;

export function kpiRows(body: { items?: Listed[] } | Listed[]): KpiRow[] {
  const items = Array.isArray(body) ? body : (body.items ?? []);
  return items.map((i) =>
    i.definition
      ? { definition: i.definition, value: i.value ?? null }
      : { definition: i as KpiDefinition, value: (i.value as KpiValue | undefined) ?? null },
  );
}

export function kpiPoints(
  body: { items?: KpiPoint[]; points?: KpiPoint[] } | KpiPoint[],
): KpiPoint[] {
  return Array.isArray(body) ? body : (body.items ?? body.points ?? []);
}

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

/** Change against 30 days before, in words and with the direction that is good for this KPI. */
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
