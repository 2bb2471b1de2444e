import type { FollowUpPage } from '../../../src/api/index.js';
import { Async } from '../components/async.js';
import { Status } from '../components/status.js';
import { Pager, Table, useCursorPages } from '../components/table.js';
import { withQuery } from '../lib/api.js';
import { date, num } from '../lib/format.js';
import { useApi } from '../lib/use-api.js';

/** The gate's warn tier: components without a valid licence (NOASSERTION, missing) and their age. */
export function FollowUps() {
  const pages = useCursorPages();
  const cursor = pages.cursor;
  const list = useApi<FollowUpPage>(withQuery('/api/v1/follow-ups', { limit: 20, cursor }));
  return (
    <section aria-labelledby="follow-h">
      <h2 id="follow-h">Follow-up items</h2>
      <Async value={list} what="the follow-up items">
        {(p) => (
          <>
            <p>
              {num(p.open)} open, <strong>{num(p.overdue)} overdue</strong>.
            </p>
            <Table caption="Follow-up items from the gate's warn tier" hideCaption>
              <thead>
                <tr>
                  <th scope="col">Component</th>
                  <th scope="col">Release</th>
                  <th scope="col">Check</th>
                  <th scope="col">Age</th>
                  <th scope="col">Due</th>
                </tr>
              </thead>
              <tbody>
                {p.items.map((f) => (
                  <tr key={f.id}>
                    <th scope="row" class="break">
                      {f.component || '(whole document)'}
                      <span class="muted small block">{f.message}</span>
                    </th>
                    <td>
                      {f.product} {f.release}
                    </td>
                    <td class="break">{f.check}</td>
                    <td>{f.ageDays} d</td>
                    <td>
                      {f.overdue ? (
                        <Status tone="bad" label={`overdue (${date(f.dueAt)})`} />
                      ) : (
                        date(f.dueAt)
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
            <Pager {...pages.pager(p.nextCursor)} />
          </>
        )}
      </Async>
    </section>
  );
}
