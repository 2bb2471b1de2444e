import type { Registry } from 'prom-client';
import { computeKpis, type Figure } from '../app/kpi/index.js';
import type { Services } from '../app/services.js';
import type { SloSettings } from '../config/index.js';
import { scrapeGauges } from './scrape-gauges.js';

/** Scrapes within this long of the last computation reuse it: the figures read whole tables. */
const TTL_MS = 30_000;

/**
 * The KPI catalogue in `/metrics`: custody_kpi_value, _numerator and _denominator per KPI id,
 * organisation-wide, computed as the API computes them (at most every 30 s; a null figure is NaN).
 */
export function registerKpiMetrics(registry: Registry, s: Services, slo: () => SloSettings): void {
  let cached: { at: number; figures: Promise<Map<string, Figure>> } | undefined;
  const load = () => {
    const now = s.clock();
    if (!cached || Math.abs(now.getTime() - cached.at) > TTL_MS) {
      const figures = computeKpis(s.db.read, { team: null }, now, slo());
      cached = { at: now.getTime(), figures };
      figures.catch(() => {
        cached = undefined;
      });
    }
    return cached.figures;
  };
  const gauge = scrapeGauges(registry, load);
  const each =
    (pick: (f: Figure) => number | null) =>
    (g: Parameters<Parameters<typeof gauge>[2]>[0], f: Map<string, Figure>) => {
      for (const [kpi, x] of f) g.set({ kpi }, pick(x) ?? Number.NaN);
    };
  gauge(
    'custody_kpi_value',
    'Each KPI of the catalogue (GET /api/v1/kpis), organisation-wide',
    each((f) => f.value),
    ['kpi'],
  );
  gauge(
    'custody_kpi_numerator',
    'What each KPI counts',
    each((f) => f.numerator),
    ['kpi'],
  );
  gauge(
    'custody_kpi_denominator',
    'What each KPI counts over',
    each((f) => f.denominator),
    ['kpi'],
  );
}
