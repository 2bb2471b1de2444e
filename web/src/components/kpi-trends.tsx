import { useEffect, useState } from 'preact/hooks';
import type { KpiPoint } from '../../../src/api/index.js';
import { ApiError, get } from '../lib/api.js';
import { formatKpi, type KpiRow, kpiPoints, kpiRows, monthOverMonth } from '../lib/kpi.js';
import { href } from '../lib/router.js';
import { ErrorBox, Loading } from './async.js';
import { TrendChart } from './trend-chart.js';

/**
 * One headline KPI per brief with its 13-month trend. The histories are asked for after the first
 * view is on screen, so they never hold up the portfolio's figures and table.
 */
export function KpiTrends() {
  const [rows, setRows] = useState<KpiRow[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [history, setHistory] = useState<Record<string, KpiPoint[]>>({});
  useEffect(() => {
    get<Parameters<typeof kpiRows>[0]>('/api/v1/kpis').then(
      (b) => {
        const all = kpiRows(b);
        const picked = [1, 2, 3, 4]
          .map(
            (brief) =>
              all.find((r) => r.definition.brief === brief && r.definition.unit === 'ratio') ??
              all.find((r) => r.definition.brief === brief),
          )
          .filter((r): r is KpiRow => r !== undefined);
        setRows(picked);
        for (const r of picked)
          get<Parameters<typeof kpiPoints>[0]>(
            `/api/v1/kpis/${encodeURIComponent(r.definition.id)}/history?days=400`,
          ).then(
            (h) => setHistory((x) => ({ ...x, [r.definition.id]: kpiPoints(h) })),
            () => {},
          );
      },
      (e: unknown) => setError(e instanceof ApiError ? e : new ApiError(0, 'CLIENT', String(e))),
    );
  }, []);
  return (
    <section aria-labelledby="trends-h">
      <h2 id="trends-h">Trends</h2>
      {error && <ErrorBox error={error} what="the KPIs" />}
      {!error && rows === null && <Loading what="the KPIs" />}
      {rows && (
        <ul class="cards">
          {rows.map(({ definition: d, value: v }) => {
            const mom = monthOverMonth(d, v);
            return (
              <li class="card" key={d.id}>
                <h3>{d.title}</h3>
                <p class="big">{formatKpi(d.unit, v?.value ?? null)}</p>
                <p class={`small ${mom.good === null ? 'muted' : mom.good ? 'good' : 'bad'}`}>
                  {mom.text}
                </p>
                {history[d.id] ? (
                  <TrendChart
                    points={history[d.id] ?? []}
                    label={d.title}
                    format={(x) => formatKpi(d.unit, x)}
                  />
                ) : (
                  <p class="muted small">Loading trend…</p>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <p>
        <a href={href.figures}>Every figure and its source →</a>
      </p>
    </section>
  );
}
