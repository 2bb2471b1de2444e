import { useState } from 'preact/hooks';
import type {
  SessionView,
  VulnerabilityItem,
  VulnerabilityListing,
} from '../../../src/api/index.js';
import { Async } from '../components/async.js';
import { Severity, Status } from '../components/status.js';
import { Pager, Table } from '../components/table.js';
import { withQuery } from '../lib/api.js';
import { date, daysUntil } from '../lib/format.js';
import { useApi } from '../lib/use-api.js';
import { ApprovalQueue } from './approval-queue.js';
import { FollowUps } from './follow-ups.js';

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
const RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, moderate: 2, low: 3 };

/** A KEV due date is the deadline the briefs track; past ones come first. */
function deadline(v: VulnerabilityItem): string | null {
  return v.kev?.dueDate ?? null;
}

function byUrgency(a: VulnerabilityItem, b: VulnerabilityItem): number {
  const da = deadline(a);
  const db = deadline(b);
  const oa = da !== null && daysUntil(da) < 0 ? 0 : 1;
  const ob = db !== null && daysUntil(db) < 0 ? 0 : 1;
  return (
    oa - ob ||
    (RANK[a.severity.rating] ?? 9) - (RANK[b.severity.rating] ?? 9) ||
    b.openFindings - a.openFindings
  );
}

export function Vulnerabilities({ session }: { session: SessionView }) {
  const [severity, setSeverity] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const list = useApi<VulnerabilityListing>(
    withQuery('/api/v1/vulnerabilities', { state: 'open', limit: 25, severity, cursor }),
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
              setCursors([]);
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
              <Table caption="Open advisories, overdue first, then by severity" hideCaption>
                <thead>
                  <tr>
                    <th scope="col">Advisory</th>
                    <th scope="col">Severity</th>
                    <th scope="col">Deadline</th>
                    <th scope="col">Affected releases and VEX status</th>
                  </tr>
                </thead>
                <tbody data-testid="advisories">
                  {p.items.length === 0 && (
                    <tr>
                      <td colSpan={4} class="muted">
                        No open advisories.
                      </td>
                    </tr>
                  )}
                  {[...p.items].sort(byUrgency).map((v) => (
                    <tr key={v.id}>
                      <th scope="row" class="break">
                        {v.id}
                        {v.aliases.length > 0 && (
                          <span class="muted small block">{v.aliases.join(', ')}</span>
                        )}
                        {v.summary && <span class="small block">{v.summary}</span>}
                      </th>
                      <td>
                        <Severity rating={v.severity.rating} />
                        {v.severity.score !== null && (
                          <span class="muted small block">CVSS {v.severity.score}</span>
                        )}
                      </td>
                      <td>
                        <Deadline at={deadline(v)} />
                      </td>
                      <td>
                        <ul class="plain">
                          {v.affected
                            .filter((a) => a.closedAt === null)
                            .map((a) => (
                              <li key={a.finding}>
                                {a.product} {a.release}{' '}
                                <Status
                                  tone={
                                    a.vex === null
                                      ? 'warn'
                                      : a.vex.needsApproval
                                        ? 'info'
                                        : 'neutral'
                                  }
                                  label={
                                    a.vex === null
                                      ? 'no VEX'
                                      : `${a.vex.status.replace(/_/g, ' ')}${a.vex.needsApproval ? ' (awaiting approval)' : ''}`
                                  }
                                />
                                {a.fixed && <span class="muted small"> fixed in {a.fixed}</span>}
                              </li>
                            ))}
                        </ul>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </Table>
              <Pager
                cursor={p.nextCursor}
                atFirst={cursors.length === 0}
                onFirst={() => setCursors([])}
                onNext={(c) => setCursors([...cursors, c])}
              />
            </>
          )}
        </Async>
      </section>
      <FollowUps />
    </>
  );
}

function Deadline({ at }: { at: string | null }) {
  if (at === null) return <span class="muted">none</span>;
  const d = daysUntil(at);
  return d < 0 ? (
    <Status tone="bad" label={`overdue ${-d} d`} title={date(at)} />
  ) : (
    <span>
      {date(at)} <span class="muted small">({d} d left)</span>
    </span>
  );
}
