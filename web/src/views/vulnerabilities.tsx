import { useState } from 'preact/hooks';
import type { DashboardVulnerability, Page, SessionView } from '../../../src/api/index.js';
import { Async } from '../components/async.js';
import { Severity, Status } from '../components/status.js';
import { EmptyRow, Pager, Table, useCursorPages } from '../components/table.js';
import { withQuery } from '../lib/api.js';
import { date, daysUntil, num } from '../lib/format.js';
import { href } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';
import { ApprovalQueue } from './approval-queue.js';
import { FollowUps } from './follow-ups.js';

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

/** The approval queue, open advisories (overdue first) and the gate's follow-up items. */
export function Vulnerabilities({ session }: { session: SessionView }) {
  const [severity, setSeverity] = useState('');
  const pages = useCursorPages();
  const cursor = pages.cursor;
  const list = useApi<Page<DashboardVulnerability>>(
    withQuery('/api/v1/dashboard/vulnerabilities', { limit: 25, severity, cursor }),
  );
  return (
    <>
      <h1>Vulnerabilities</h1>
      <ApprovalQueue session={session} />
      <section aria-labelledby="open-h">
        <h2 id="open-h">Open advisories</h2>
        <label class="inline">
          Severity{' '}
          <select
            value={severity}
            onChange={(e) => {
              setSeverity((e.target as HTMLSelectElement).value);
              pages.reset();
            }}
          >
            <option value="">all</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <Async value={list} what="the open advisories">
          {(p) => (
            <>
              <Table caption="Open advisories, overdue first" hideCaption>
                <thead>
                  <tr>
                    <th scope="col">Advisory</th>
                    <th scope="col">Severity</th>
                    <th scope="col">Affected</th>
                    <th scope="col">VEX</th>
                    <th scope="col">Deadline</th>
                  </tr>
                </thead>
                <tbody data-testid="advisories">
                  {p.items.length === 0 && <EmptyRow columns={5}>No open advisories.</EmptyRow>}
                  {p.items.map((v) => (
                    <tr key={v.id}>
                      <th scope="row" class="break">
                        <a href={href.search(v.id)}>{v.id}</a>
                        {v.aliases.length > 0 && (
                          <span class="muted small block">{v.aliases.join(', ')}</span>
                        )}
                        {v.summary && <span class="small block">{v.summary}</span>}
                      </th>
                      <td>
                        <Severity rating={v.severity} />
                        {v.score !== null && <span class="muted small block">CVSS {v.score}</span>}
                        {v.kev && <Status tone="bad" label="known exploited (KEV)" />}
                      </td>
                      <td>
                        <a href={href.search(v.id)}>
                          {num(v.affectedReleases)} release{v.affectedReleases === 1 ? '' : 's'}
                        </a>
                        <span class="muted small block">
                          {num(v.products)} product{v.products === 1 ? '' : 's'} ·{' '}
                          {num(v.deployedReleases)} deployed · since {date(v.firstOpenedAt)}
                        </span>
                      </td>
                      <td>
                        <span class="findings">
                          {v.vex.decided > 0 && (
                            <Status tone="good" label={`${v.vex.decided} decided`} />
                          )}
                          {v.vex.pending > 0 && (
                            <Status tone="info" label={`${v.vex.pending} awaiting approval`} />
                          )}
                          {v.vex.missing > 0 && (
                            <Status tone="warn" label={`${v.vex.missing} without statement`} />
                          )}
                        </span>
                      </td>
                      <td>
                        <Deadline at={v.deadline} overdue={v.overdue} />
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
      <FollowUps />
    </>
  );
}

function Deadline({ at, overdue }: { at: string | null; overdue: boolean }) {
  if (at === null) return <span class="muted">decided</span>;
  if (overdue) return <Status tone="bad" label={`overdue since ${date(at)}`} />;
  return (
    <span>
      {date(at)} <span class="muted small">({daysUntil(at)} d left)</span>
    </span>
  );
}
