import { useEffect } from 'preact/hooks';
import type { Page, PortfolioRelease } from '../../../src/api/index.js';
import { Async } from '../components/async.js';
import { Freshness, Status } from '../components/status.js';
import { EmptyRow, Pager, Table, useCursorPages } from '../components/table.js';
import { withQuery } from '../lib/api.js';
import { date, pct } from '../lib/format.js';
import { href } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';
import { markOnce } from './portfolio.js';

const PAGE = 25;
const share = (n: number, of: number) => (of === 0 ? null : n / of);

/** The releases, one page at a time: the page never asks for the whole portfolio. */
export function ReleasesTable() {
  const pages = useCursorPages();
  const cursor = pages.cursor;
  const page = useApi<Page<PortfolioRelease>>(
    withQuery('/api/v1/dashboard/releases', { limit: PAGE, cursor }),
  );
  useEffect(() => {
    if (page.state === 'ok') markOnce('custody:releases');
  }, [page.state]);
  return (
    <section aria-labelledby="releases-h">
      <h2 id="releases-h">Releases</h2>
      <Async value={page} what="the releases">
        {(p) => (
          <>
            <Table
              caption="Releases with coverage, signatures, provenance, SLSA level, freshness and quality"
              hideCaption
            >
              <thead>
                <tr>
                  <th scope="col">Release</th>
                  <th scope="col">Team</th>
                  <th scope="col">SBOM</th>
                  <th scope="col">Signed</th>
                  <th scope="col">Provenance</th>
                  <th scope="col">SLSA</th>
                  <th scope="col">Freshness</th>
                  <th scope="col">Quality</th>
                  <th scope="col">Open findings</th>
                </tr>
              </thead>
              <tbody data-testid="releases">
                {p.items.length === 0 && (
                  <EmptyRow columns={9}>
                    No releases yet: push an SBOM (`custody push sbom`).
                  </EmptyRow>
                )}
                {p.items.map((r) => (
                  <tr key={r.id}>
                    <th scope="row">
                      <a href={href.release(r.id)}>
                        {r.product} {r.version}
                      </a>
                      <span class="muted small block">
                        {date(r.createdAt)}
                        {r.deployed ? ' · deployed' : ''}
                      </span>
                    </th>
                    <td>{r.team}</td>
                    <td>{pct(share(r.withSbom, r.artifacts))}</td>
                    <td>{pct(share(r.withSignedSbom, r.artifacts))}</td>
                    <td>{pct(share(r.withProvenance, r.artifacts))}</td>
                    <td>{r.slsaLevel > 0 ? `L${r.slsaLevel}` : '—'}</td>
                    <td>
                      <Freshness state={r.freshness} />
                      {r.sbomAgeDays !== null && (
                        <span class="muted small block">{r.sbomAgeDays} d</span>
                      )}
                    </td>
                    <td>{r.qualityScore === null ? '—' : r.qualityScore.toFixed(1)}</td>
                    <td>
                      <Findings f={r.openFindings} />
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

export function Findings({
  f,
}: {
  f: { critical: number; high: number; medium: number; low: number };
}) {
  if (f.critical + f.high + f.medium + f.low === 0) return <Status tone="good" label="none" />;
  return (
    <span class="findings">
      {f.critical > 0 && <Status tone="bad" label={`${f.critical} critical`} />}
      {f.high > 0 && <Status tone="bad" label={`${f.high} high`} />}
      {f.medium > 0 && <Status tone="warn" label={`${f.medium} medium`} />}
      {f.low > 0 && <Status tone="neutral" label={`${f.low} low`} />}
    </span>
  );
}
