import type { Page, TeamScorecard } from '../../../src/api/index.js';
import { Async } from '../components/async.js';
import { Table } from '../components/table.js';
import { num, pct } from '../lib/format.js';
import { useApi } from '../lib/use-api.js';
import { Findings } from './portfolio-releases.js';

const days = (s: number) =>
  s >= 86_400
    ? `${Math.round(s / 86_400)} d`
    : s >= 3600
      ? `${Math.round(s / 3600)} h`
      : `${Math.max(1, Math.round(s / 60))} min`;

/** One row per team the caller sees: freshness SLA, signed coverage, open findings. */
export function Scorecards() {
  const teams = useApi<Page<TeamScorecard>>('/api/v1/dashboard/scorecards');
  return (
    <section aria-labelledby="teams-h">
      <h2 id="teams-h">Team scorecards</h2>
      <Async value={teams} what="the team scorecards">
        {(p) => (
          <Table caption="Team scorecards" hideCaption>
            <thead>
              <tr>
                <th scope="col">Team</th>
                <th scope="col">Releases</th>
                <th scope="col">Fresh within SLA</th>
                <th scope="col">Signed</th>
                <th scope="col">Provenance</th>
                <th scope="col">Open findings</th>
                <th scope="col">Overdue VEX</th>
              </tr>
            </thead>
            <tbody>
              {p.items.map((t) => (
                <tr key={t.team}>
                  <th scope="row">{t.team}</th>
                  <td>{num(t.releases)}</td>
                  <td>
                    {pct(t.freshWithinSla)}
                    <span class="muted small block">
                      {num(t.deployedReleases)} deployed
                      {t.sla.releaseSeconds > 0 &&
                        ` · SBOM due ${days(t.sla.releaseSeconds)} after release`}
                      {t.sla.maxAgeDays !== null && `, max age ${t.sla.maxAgeDays} d`}
                    </span>
                  </td>
                  <td>{pct(t.signedCoverage)}</td>
                  <td>{pct(t.provenanceCoverage)}</td>
                  <td>
                    <Findings f={t.openFindings} />
                  </td>
                  <td>{num(t.overdueVex)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Async>
    </section>
  );
}
