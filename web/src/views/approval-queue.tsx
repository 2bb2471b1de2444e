import { useEffect, useState } from 'preact/hooks';
import type { SessionView, VexStatementItem, VulnerabilityListing } from '../../../src/api/index.js';
import { Async } from '../components/async.js';
import { Status } from '../components/status.js';
import { Table } from '../components/table.js';
import { ApiError, get, post } from '../lib/api.js';
import { dateTime } from '../lib/format.js';
import { useApi } from '../lib/use-api.js';

/**
 * Draft VEX judgements waiting for a second person. Only approvers decide (admins grant roles but
 * decide nothing); the service refuses the person who drafted it, and the page shows its message.
 */
export function ApprovalQueue({ session }: { session: SessionView }) {
  const open = useApi<VulnerabilityListing>('/api/v1/vulnerabilities?state=open&limit=100');
  const [statements, setStatements] = useState<VexStatementItem[] | null>(null);
  const [said, setSaid] = useState<{ ok: boolean; text: string } | null>(null);
  const mayDecide = session.role === 'approver';

  const data = open.state === 'ok' ? open.data : null;
  useEffect(() => {
    if (data === null) return;
    const ids = [
      ...new Set(
        data.items.flatMap((v) => v.affected.filter((a) => a.vex?.needsApproval).map((a) => a.vex?.statement as number)),
      ),
    ].slice(0, 25);
    Promise.all(ids.map((id) => get<VexStatementItem>(`/api/v1/vex-statements/${id}`))).then(
      (s) => setStatements(s.filter((x) => x.needsApproval)),
      () => setStatements([]),
    );
  }, [data]);

  const approve = async (s: VexStatementItem) => {
    setSaid(null);
    try {
      await post(`/api/v1/vex-statements/${s.id}/approve`);
      setSaid({ ok: true, text: `Approved: ${s.product} — ${s.vulnerability} is ${s.status.replace(/_/g, ' ')}.` });
      open.reload();
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(0, 'CLIENT', String(e));
      setSaid({ ok: false, text: `${err.code}: ${err.message}` });
    }
  };

  return (
    <section aria-labelledby="queue-h">
      <h2 id="queue-h">VEX approval queue</h2>
      <div aria-live="polite" data-testid="queue-result">
        {said && <p class={said.ok ? 'notice good' : 'error'}>{said.text}</p>}
      </div>
      {!mayDecide && (
        <p class="muted small">Only approvers decide VEX statements; you see the queue read-only.</p>
      )}
      <Async value={open} what="the approval queue">
        {() =>
          statements === null ? (
            <p class="loading">Loading the statements…</p>
          ) : statements.length === 0 ? (
            <p class="muted">Nothing waits for approval.</p>
          ) : (
            <Table caption="VEX statements waiting for approval" hideCaption>
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col">Vulnerability</th>
                  <th scope="col">Proposed status</th>
                  <th scope="col">Drafted by</th>
                  <th scope="col">Decision</th>
                </tr>
              </thead>
              <tbody data-testid="queue">
                {statements.map((s) => (
                  <tr key={s.id}>
                    <th scope="row">{s.product}</th>
                    <td class="break">{s.vulnerability}</td>
                    <td>
                      <Status tone="info" label={s.status.replace(/_/g, ' ')} />
                      <span class="muted small block">v{s.version} · {dateTime(s.updatedAt)}</span>
                    </td>
                    <td class="break">{s.draftedBy}</td>
                    <td>
                      {mayDecide ? (
                        <button type="button" class="primary" onClick={() => void approve(s)}>
                          Approve <span class="visually-hidden">{`${s.product} ${s.vulnerability}`}</span>
                        </button>
                      ) : (
                        <span class="muted small">approver needed</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )
        }
      </Async>
    </section>
  );
}
