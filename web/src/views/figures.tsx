import { useEffect, useState } from 'preact/hooks';
import type {
  KpiHistoryView,
  KpiListView,
  KpiManualEntry,
  KpiPoint,
  SessionView,
} from '../../../src/api/index.js';
import { Async } from '../components/async.js';
import { Table } from '../components/table.js';
import { TrendChart } from '../components/trend-chart.js';
import { get } from '../lib/api.js';
import { date, dateTime } from '../lib/format.js';
import { formatKpi, monthOverMonth } from '../lib/kpi.js';
import { useApi } from '../lib/use-api.js';

type Kpi = KpiListView['kpis'][number];

const BRIEFS: Record<number, string> = {
  1: 'Brief 1 — signing and verification at admission',
  2: 'Brief 2 — SLSA provenance',
  3: 'Brief 3 — outages and degraded operation',
  4: 'Brief 4 — SBOM quality and vulnerabilities',
};

/** The KPI catalogue per brief: value, month over month, numerator, denominator, source, milestones. */
export function Figures({ session }: { session: SessionView }) {
  const kpis = useApi<KpiListView>('/api/v1/kpis');
  const manual = useApi<{ entries: KpiManualEntry[] }>('/api/v1/kpis/manual?days=400');
  return (
    <>
      <h1>Figures</h1>
      <Async value={kpis} what="the KPI catalogue">
        {(list) => (
          <>
            <p class="muted small">
              {list.team ? `Team ${list.team}` : 'Organisation-wide'}, as of {dateTime(list.at)}.
              Daily snapshots are kept for at least 13 months.
            </p>
            {[1, 2, 3, 4].map((brief) => (
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
                    {list.kpis
                      .filter((k) => k.brief === brief)
                      .map((k) => (
                        <KpiLine key={k.id} k={k} />
                      ))}
                  </tbody>
                </Table>
                <Milestones list={list} brief={brief} />
              </section>
            ))}
          </>
        )}
      </Async>
      <section aria-labelledby="manual-h">
        <h2 id="manual-h">Entered by hand</h2>
        <p class="muted small">
          What software cannot observe (people trained, drills and their timings, runbooks per
          service) is entered through the API (`POST /api/v1/kpis/manual`) and audited
          {session.role === 'viewer' || session.role === 'auditor'
            ? '; your role reads them only'
            : ''}
          .
        </p>
        <Async value={manual} what="the manual entries">
          {(m) =>
            m.entries.length === 0 ? (
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
                  {m.entries.map((e) => (
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

function Milestones({ list, brief }: { list: KpiListView; brief: number }) {
  const ms = list.milestones.filter((m) => m.brief === brief);
  if (ms.length === 0) return null;
  const title = (id: string) => list.kpis.find((k) => k.id === id)?.title ?? id;
  return (
    <>
      <h3 class="sub">Milestones</h3>
      <ul class="milestones">
        {ms.map((m) => (
          <li key={`${m.period}:${m.text}`}>
            <strong>{m.period}</strong>: {m.text}
            {m.kpis.length > 0 && (
              <span class="muted small block">
                measured by{' '}
                {m.kpis
                  .map((k) => `${title(k.id)}${k.target !== null ? ` (target ${k.target})` : ''}`)
                  .join('; ')}
              </span>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

function KpiLine({ k }: { k: Kpi }) {
  const [points, setPoints] = useState<KpiPoint[] | null>(null);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!open || points !== null) return;
    get<KpiHistoryView>(`/api/v1/kpis/${encodeURIComponent(k.id)}/history?days=400`).then(
      (h) => setPoints(h.points),
      () => setPoints([]),
    );
  }, [open]);
  const mom = monthOverMonth(k, k.current);
  const v = k.current;
  return (
    <tr>
      <th scope="row">
        {k.title}
        <span class="muted small block">{k.id}</span>
      </th>
      <td>{formatKpi(k.unit, v.value)}</td>
      <td class={mom.good === null ? 'muted' : mom.good ? 'good' : 'bad'}>{mom.text}</td>
      <td class="small">
        {k.numerator}
        {k.denominator && <> / {k.denominator}</>}
        {v.numerator !== null && (
          <span class="muted block">
            {v.numerator}
            {v.denominator !== null && ` / ${v.denominator}`}
          </span>
        )}
      </td>
      <td class="small break">{k.source}</td>
      <td>
        {open ? (
          points === null ? (
            <span class="muted small">loading…</span>
          ) : (
            <TrendChart points={points} label={k.title} format={(x) => formatKpi(k.unit, x)} />
          )
        ) : (
          <button type="button" class="link" onClick={() => setOpen(true)}>
            Show trend <span class="visually-hidden">of {k.title}</span>
          </button>
        )}
      </td>
    </tr>
  );
}
