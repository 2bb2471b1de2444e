import { useEffect, useState } from 'preact/hooks';
import type { KpiHistoryView, KpiListView, KpiPoint } from '../../../src/api/index.js';
import { ApiError, get } from '../lib/api.js';
import { formatKpi, monthOverMonth } from '../lib/kpi.js';
import { href } from '../lib/router.js';
import { ErrorBox, Loading } from './async.js';
import { TrendChart } from './trend-chart.js';

type Kpi = KpiListView['kpis'][number];

/**
 * One headline KPI per brief with its 13-month trend. The histories are asked for after the
 * catalogue, so they never hold up the portfolio's figures and table.
 */
export function KpiTrends() {
  const [rows, setRows] = useState<Kpi[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [history, setHistory] = useState<Record<string, KpiPoint[]>>({});
  useEffect(() => {
    get<KpiListView>('/api/v1/kpis').then(
      (list) => {
        const picked = [1, 2, 3, 4]
          .map(
            (brief) =>
              list.kpis.find((k) => k.brief === brief && k.unit === 'ratio') ??
              list.kpis.find((k) => k.brief === brief),
          )
          .filter((k): k is Kpi => k !== undefined);
        setRows(picked);
        for (const k of picked)
          get<KpiHistoryView>(`/api/v1/kpis/${encodeURIComponent(k.id)}/history?days=400`).then(
            (h) => setHistory((x) => ({ ...x, [k.id]: h.points })),
            () => setHistory((x) => ({ ...x, [k.id]: [] })),
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
          {rows.map((k) => {
            const mom = monthOverMonth(k, k.current);
            return (
              <li class="card" key={k.id}>
                <h3>{k.title}</h3>
                <p class="big">{formatKpi(k.unit, k.current.value)}</p>
                <p class={`small ${mom.good === null ? 'muted' : mom.good ? 'good' : 'bad'}`}>
                  {mom.text}
                </p>
                {history[k.id] ? (
                  <TrendChart
                    points={history[k.id] ?? []}
                    label={k.title}
                    format={(x) => formatKpi(k.unit, x)}
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
        <a href={href.figures}>Every figure, its source and the briefs' milestones →</a>
      </p>
    </section>
  );
}
