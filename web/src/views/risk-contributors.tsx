import type { Page, RiskContributor } from '../../../src/api/index.js';
import { Async } from '../components/async.js';
import { Table } from '../components/table.js';
import { num } from '../lib/format.js';
import { href } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';

/** Components ranked by open high and critical findings × the deployed releases that carry them. */
export function RiskContributors() {
  const top = useApi<Page<RiskContributor>>('/api/v1/dashboard/risk-contributors?limit=10');
  return (
    <section aria-labelledby="risk-h">
      <h2 id="risk-h">Top dependency-risk contributors</h2>
      <Async value={top} what="the risk contributors">
        {(p) =>
          p.items.length === 0 ? (
            <p class="muted">No open high or critical findings in deployed releases.</p>
          ) : (
            <Table caption="Top dependency-risk contributors" hideCaption>
              <thead>
                <tr>
                  <th scope="col">Component</th>
                  <th scope="col">Open high/critical</th>
                  <th scope="col">Deployed releases</th>
                  <th scope="col">Score</th>
                  <th scope="col">Vulnerabilities</th>
                </tr>
              </thead>
              <tbody>
                {p.items.map((c) => (
                  <tr key={c.purl}>
                    <th scope="row">
                      <a href={href.search(c.purl)} class="break">
                        {c.name}
                        {c.version ? `@${c.version}` : ''}
                      </a>
                    </th>
                    <td>{num(c.openHighCritical)}</td>
                    <td>{num(c.deployedReleases)}</td>
                    <td>{num(c.score)}</td>
                    <td class="break">
                      {c.vulnerabilities.map((v, i) => (
                        <>
                          {i > 0 && ', '}
                          <a href={href.search(v)}>{v}</a>
                        </>
                      ))}
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
