import { useEffect, useState } from 'preact/hooks';
import type { KpiManualEntry, KpiPoint, SessionView } from '../../../src/api/index.js';
import { Async } from '../components/async.js';
import { Table } from '../components/table.js';
import { TrendChart } from '../components/trend-chart.js';
import { get } from '../lib/api.js';
import { date } from '../lib/format.js';
import { formatKpi, type KpiRow, kpiPoints, kpiRows, monthOverMonth } from '../lib/kpi.js';
import { useApi } from '../lib/use-api.js';

const BRIEFS: Record<number, string> = {
  1: 'Brief 1 — signing and verification at admission',
  2: 'Brief 2 — SLSA provenance',
  3: 'Brief 3 — outages and degraded operation',
  4: 'Brief 4 — SBOM quality and vulnerabilities',
};

/** The KPI catalogue: each figure with numerator, denominator, source and its month-over-month change. */
export function Figures({ session }: { session: SessionView }) {
  const kpis = useApi<Parameters<typeof kpiRows>[0]>('/api/v1/kpis');
  const manual = useApi<{ items: KpiManualEntry[] }>('/api/v1/kpis/manual?limit=50');
  return (
    <>
      <h1>Figures</h1>
      <Async value={kpis} what="the KPI catalogue">
        {(b) => {
          const rows = kpiRows(b);
          return [1, 2, 3, 4].map((brief) => (
            <section key={brief} aria-labelledby={`brief-${brief}`}>
              <h2 id={`brief-${brief}`}>{BRIEFS[brief]}</h2>
              <Table caption={BRIEFS[brief] ?? ''} hideCaption>
                <thead>
                  <tr>
                    <th scope="col">Figure</th>
                    <th scope="col">Value</th>
                    <th scope="col">Month over month</th>
                    <th scope="col">Numerator / denominator</th>
                    <th scope="col">Source</th>
                    <th scope="col">Trend</th>
                  </tr>
                </thead>
                <tbody>
                  {rows
                    .filter((r) => r.definition.brief === brief)
                    .map((r) => (
                      <KpiLine key={r.definition.id} row={r} />
                    ))}
                </tbody>
              </Table>
            </section>
          ));
        }}
      </Async>
      <section aria-labelledby="manual-h">
        <h2 id="manual-h">Entered by hand</h2>
        <p class="muted small">
          What software cannot observe (people trained, drills, runbooks per service) is entered
          through the API and audited{session.role === 'admin' ? '' : '; admins enter it'}.
        </p>
        <Async value={manual} what="the manual entries">
          {(m) =>
            m.items.length === 0 ? (
              <p class="muted">No figures entered by hand yet.</p>
            ) : (
              <Table caption="Figures entered by hand" hideCaption>
                <thead>
                  <tr>
                    <th scope="col">Figure</th>
                    <th scope="col">Subject</th>
                    <th scope="col">Value</th>
                    <th scope="col">Day</th>
                    <th scope="col">Entered by</th>
                  </tr>
                </thead>
                <tbody>
                  {m.items.map((e) => (
                    <tr key={e.id}>
                      <th scope="row">{e.kpi}</th>
                      <td>{e.subject ?? '—'}</td>
                      <td>
                        {e.value}
                        {e.note && <span class="muted small block">{e.note}</span>}
                      </td>
                      <td>{date(e.day)}</td>
                      <td class="break">{e.enteredBy}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )
          }
        </Async>
      </section>
    </>
  );
}

function KpiLine({ row: { definition: d, value: v } }: { row: KpiRow }) {
  const [points, setPoints] = useState<KpiPoint[] | null>(null);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!open || points !== null) return;
    get<Parameters<typeof kpiPoints>[0]>(
      `/api/v1/kpis/${encodeURIComponent(d.id)}/history?days=400`,
    ).then(
      (h) => setPoints(kpiPoints(h)),
      () => setPoints([]),
    );
  }, [open]);
  const mom = monthOverMonth(d, v);
  return (
    <tr>
      <th scope="row">
        {d.title}
        <span class="muted small block">{d.id}</span>
      </th>
      <td>{formatKpi(d.unit, v?.value ?? null)}</td>
      <td class={mom.good === null ? 'muted' : mom.good ? 'good' : 'bad'}>{mom.text}</td>
      <td class="small">
        {d.numerator}
        {d.denominator && <> / {d.denominator}</>}
        {v && v.numerator !== null && (
          <span class="muted block">
            {v.numerator}
            {v.denominator !== null && ` / ${v.denominator}`}
          </span>
        )}
      </td>
      <td class="small break">{d.source}</td>
      <td>
        {open ? (
          points === null ? (
            <span class="muted small">loading…</span>
          ) : (
            <TrendChart points={points} label={d.title} format={(x) => formatKpi(d.unit, x)} />
          )
        ) : (
          <button type="button" class="link" onClick={() => setOpen(true)}>
            Show trend <span class="visually-hidden">of {d.title}</span>
          </button>
        )}
      </td>
    </tr>
  );
}
