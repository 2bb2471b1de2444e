import { useState } from 'preact/hooks';
import type { Page, SessionView, VexQueueItem } from '../../../src/api/index.js';
import { Async } from '../components/async.js';
import { Status } from '../components/status.js';
import { Table } from '../components/table.js';
import { ApiError, post } from '../lib/api.js';
import { date, daysUntil } from '../lib/format.js';
import { useApi } from '../lib/use-api.js';

/**
 * Draft VEX judgements waiting for a second person, overdue first. Only approvers decide (admins
 * grant roles but decide nothing); the service refuses the person who drafted the version, and
 * the page shows its message.
 */
export function ApprovalQueue({ session }: { session: SessionView }) {
  const queue = useApi<Page<VexQueueItem>>('/api/v1/dashboard/vex-queue?limit=50');
  const [said, setSaid] = useState<{ ok: boolean; text: string } | null>(null);
  const mayDecide = session.role === 'approver';

  const approve = async (s: VexQueueItem) => {
    setSaid(null);
    try {
      await post(`/api/v1/vex-statements/${s.statement}/approve`);
      setSaid({
        ok: true,
        text: `Approved: ${s.product} — ${s.vulnerability} is ${s.status.replace(/_/g, ' ')}.`,
      });
      queue.reload();
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
        <p class="muted small">
          Only approvers decide VEX statements; you see the queue read-only.
        </p>
      )}
      <Async value={queue} what="the approval queue">
        {(p) =>
          p.items.length === 0 ? (
            <p class="muted">Nothing waits for approval.</p>
          ) : (
            <Table caption="VEX statements waiting for approval, overdue first" hideCaption>
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col">Vulnerability</th>
                  <th scope="col">Proposed status</th>
                  <th scope="col">Drafted by</th>
                  <th scope="col">Deadline</th>
                  <th scope="col">Decision</th>
                </tr>
              </thead>
              <tbody data-testid="queue">
                {[...p.items]
                  .sort(
                    (a, b) =>
                      Number(b.overdue) - Number(a.overdue) || a.deadline.localeCompare(b.deadline),
                  )
                  .map((s) => (
                    <tr key={s.statement}>
                      <th scope="row">{s.product}</th>
                      <td class="break">{s.vulnerability}</td>
                      <td>
                        <Status tone="info" label={s.status.replace(/_/g, ' ')} />
                        <span class="muted small block">version {s.version}</span>
                      </td>
                      <td class="break">{s.draftedBy}</td>
                      <td>
                        {s.overdue ? (
                          <Status tone="bad" label={`overdue since ${date(s.deadline)}`} />
                        ) : (
                          <span>
                            {date(s.deadline)}{' '}
                            <span class="muted small">({daysUntil(s.deadline)} d left)</span>
                          </span>
                        )}
                      </td>
                      <td>
                        {mayDecide ? (
                          <button type="button" class="primary" onClick={() => void approve(s)}>
                            Approve{' '}
                            <span class="visually-hidden">{`${s.product} ${s.vulnerability}`}</span>
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
