import type { SearchAnswer } from '../../../src/api/index.js';
import { Async } from '../components/async.js';
import { Severity, Status } from '../components/status.js';
import { Pager, Table, useCursorPages } from '../components/table.js';
import { withQuery } from '../lib/api.js';
import { href } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';

const KIND: Record<SearchAnswer['kind'], string> = {
  purl: 'package URL',
  'name-version': 'name and version',
  name: 'name',
  vulnerability: 'vulnerability',
};

/** Every release a purl, a name@version or a vulnerability id touches. */
export function Search({ q }: { q: string }) {
  const pages = useCursorPages();
  const cursor = pages.cursor;
  const answer = useApi<SearchAnswer>(
    q === '' ? null : withQuery('/api/v1/dashboard/search', { q, cursor, limit: 50 }),
  );
  return (
    <>
      <h1>Search</h1>
      {q === '' ? (
        <p class="muted">Type a purl, name@version or a CVE id in the search box above.</p>
      ) : (
        <div aria-live="polite">
          <Async value={answer} what="the search">
            {(a) => (
              <>
                <p data-testid="search-summary">
                  <strong>{a.releases.length}</strong> release{a.releases.length === 1 ? '' : 's'}{' '}
                  for {KIND[a.kind]} <code class="break">{a.query}</code>
                  {a.nextCursor && ' (more on the next page)'}.
                </p>
                {a.vulnerability && (
                  <p>
                    {a.vulnerability.id}{' '}
                    {a.vulnerability.severity && <Severity rating={a.vulnerability.severity} />}{' '}
                    {a.vulnerability.summary}
                  </p>
                )}
                <Table caption="Affected releases" hideCaption>
                  <thead>
                    <tr>
                      <th scope="col">Release</th>
                      <th scope="col">Team</th>
                      <th scope="col">Matching components</th>
                      {a.kind === 'vulnerability' && <th scope="col">VEX</th>}
                    </tr>
                  </thead>
                  <tbody data-testid="search-results">
                    {a.releases.map((r) => (
                      <tr key={r.releaseId}>
                        <th scope="row">
                          <a href={href.release(r.releaseId)}>
                            {r.product} {r.version}
                          </a>
                          {r.deployed && <span class="muted small block">deployed</span>}
                        </th>
                        <td>{r.team}</td>
                        <td class="break small">{r.components.map((c) => c.purl).join(', ')}</td>
                        {a.kind === 'vulnerability' && (
                          <td>
                            <Status
                              tone={r.vexStatus ? 'neutral' : 'warn'}
                              label={r.vexStatus?.replace(/_/g, ' ') ?? 'no VEX'}
                            />
                          </td>
                        )}
                      </tr>
                    ))}
                  </tbody>
                </Table>
                <Pager {...pages.pager(a.nextCursor)} />
              </>
            )}
          </Async>
        </div>
      )}
    </>
  );
}
