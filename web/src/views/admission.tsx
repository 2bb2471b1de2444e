import type {
  AdmissionDecisionItem,
  AdmissionExceptionItem,
  AdmissionOverrideItem,
  Page,
  ReconciliationItem,
} from '../../../src/api/index.js';
import { Async } from '../components/async.js';
import { Status } from '../components/status.js';
import { Table } from '../components/table.js';
import { dateTime, daysUntil } from '../lib/format.js';
import { useApi } from '../lib/use-api.js';

/** Decisions by mode and namespace, exceptions and overrides in force, degraded windows. */
export function Admission() {
  const decisions = useApi<Page<AdmissionDecisionItem>>('/api/v1/admission/decisions?limit=200');
  const exceptions = useApi<{ items: AdmissionExceptionItem[] }>(
    '/api/v1/admission/exceptions?state=active',
  );
  const overrides = useApi<{ items: AdmissionOverrideItem[] }>(
    '/api/v1/admission/overrides?state=active',
  );
  const recon = useApi<Page<ReconciliationItem>>('/api/v1/admission/reconciliations?limit=50');
  return (
    <>
      <h1>Admission</h1>
      <section aria-labelledby="dec-h">
        <h2 id="dec-h">Decisions by namespace and mode</h2>
        <Async value={decisions} what="the admission decisions">
          {(p) => <ByNamespace items={p.items} />}
        </Async>
      </section>
      <section aria-labelledby="exc-h">
        <h2 id="exc-h">Active exceptions and overrides</h2>
        <Async value={exceptions} what="the exceptions">
          {(p) => (
            <Expiring
              caption="Active exceptions"
              rows={p.items.map((e) => ({
                key: e.id,
                what: `${e.namespace}: ${e.imagePattern}`,
                ticket: e.ticket,
                by: e.requester,
                expiresAt: e.expiresAt,
              }))}
            />
          )}
        </Async>
        <Async value={overrides} what="the overrides">
          {(p) => (
            <Expiring
              caption="Active mode overrides (outage)"
              rows={p.items.map((o) => ({
                key: o.id,
                what: `${o.namespaces.join(', ')} → ${o.mode}`,
                ticket: o.ticket,
                by: o.requester,
                expiresAt: o.expiresAt,
              }))}
            />
          )}
        </Async>
      </section>
      <section aria-labelledby="rec-h">
        <h2 id="rec-h">Degraded decisions and their reconciliation</h2>
        <Async value={recon} what="the reconciliations">
          {(p) =>
            p.items.length === 0 ? (
              <p class="muted">No degraded decision has been reconciled yet.</p>
            ) : (
              <Table caption="Reconciliations of degraded decisions" hideCaption>
                <thead>
                  <tr>
                    <th scope="col">Workload</th>
                    <th scope="col">Decided</th>
                    <th scope="col">Reconciled</th>
                    <th scope="col">Result</th>
                  </tr>
                </thead>
                <tbody>
                  {p.items.map((r) => (
                    <tr key={r.id}>
                      <th scope="row" class="break">
                        {r.namespace}/{r.workload}
                      </th>
                      <td>{dateTime(r.decidedAt)}</td>
                      <td>
                        {dateTime(r.reconciledAt)}{' '}
                        <span class="muted small">({Math.round(r.seconds / 60)} min later)</span>
                      </td>
                      <td>
                        <Status
                          tone={
                            r.result === 'confirmed'
                              ? 'good'
                              : r.result === 'overturned'
                                ? 'bad'
                                : 'warn'
                          }
                          label={r.result}
                        />
                      </td>
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

function ByNamespace({ items }: { items: AdmissionDecisionItem[] }) {
  if (items.length === 0) return <p class="muted">No admission decisions recorded yet.</p>;
  const rows = new Map<
    string,
    {
      ns: string;
      mode: string;
      allowed: number;
      denied: number;
      wouldDeny: number;
      degraded: number;
      pending: number;
    }
  >();
  for (const d of items) {
    const key = `${d.cluster ?? ''}/${d.namespace}/${d.mode}`;
    const r = rows.get(key) ?? {
      ns: d.cluster ? `${d.cluster}/${d.namespace}` : d.namespace,
      mode: d.mode,
      allowed: 0,
      denied: 0,
      wouldDeny: 0,
      degraded: 0,
      pending: 0,
    };
    if (d.allowed) r.allowed++;
    else r.denied++;
    if (d.wouldDeny) r.wouldDeny++;
    if (d.degraded) {
      r.degraded++;
      if (d.reconciliation === null) r.pending++;
    }
    rows.set(key, r);
  }
  return (
    <>
      <p class="muted small">The newest {items.length} decisions.</p>
      <Table caption="Admission decisions by namespace and mode" hideCaption>
        <thead>
          <tr>
            <th scope="col">Namespace</th>
            <th scope="col">Mode</th>
            <th scope="col">Allowed</th>
            <th scope="col">Denied</th>
            <th scope="col">Enforce would deny</th>
            <th scope="col">Degraded (pending)</th>
          </tr>
        </thead>
        <tbody>
          {[...rows.values()].map((r) => (
            <tr key={`${r.ns}/${r.mode}`}>
              <th scope="row" class="break">
                {r.ns}
              </th>
              <td>
                <Status tone={r.mode === 'enforce' ? 'good' : 'warn'} label={r.mode} />
              </td>
              <td>{r.allowed}</td>
              <td>{r.denied}</td>
              <td>{r.wouldDeny}</td>
              <td>
                {r.degraded} ({r.pending})
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
    </>
  );
}

function Expiring({
  caption,
  rows,
}: {
  caption: string;
  rows: { key: string; what: string; ticket: string; by: string; expiresAt: string }[];
}) {
  return (
    <>
      <h3>{caption}</h3>
      {rows.length === 0 ? (
        <p class="muted">None in force.</p>
      ) : (
        <Table caption={caption} hideCaption>
          <thead>
            <tr>
              <th scope="col">What</th>
              <th scope="col">Ticket</th>
              <th scope="col">Requested by</th>
              <th scope="col">Expires</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const d = daysUntil(r.expiresAt);
              return (
                <tr key={r.key}>
                  <th scope="row" class="break">
                    {r.what}
                  </th>
                  <td>{r.ticket}</td>
                  <td class="break">{r.by}</td>
                  <td>
                    {dateTime(r.expiresAt)}{' '}
                    <Status
                      tone={d < 1 ? 'warn' : 'neutral'}
                      label={d < 1 ? 'expires within a day' : `${d} d left`}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </Table>
      )}
    </>
  );
}
