import type { TlogCheckpoints, TlogDescription, TlogReporterView } from '../../../src/api/index.js';
import { Async } from '../components/async.js';
import { Status } from '../components/status.js';
import { Table } from '../components/table.js';
import { dateTime, num } from '../lib/format.js';
import { parseCheckpoint } from '../lib/merkle.js';
import { useApi } from '../lib/use-api.js';

/** The log's size, newest checkpoint and its cosigners, and the mirrors and monitors that report. */
export function Transparency() {
  const log = useApi<TlogDescription>('/api/v1/tlog');
  const size = log.state === 'ok' ? log.data.size : null;
  const recent = useApi<TlogCheckpoints>(
    size === null ? null : `/api/v1/tlog/checkpoints?sinceSize=${Math.max(0, size - 10)}&limit=10`,
  );
  const reporters = useApi<{ items: TlogReporterView[] }>('/api/v1/tlog/reporters');
  return (
    <>
      <h1>Transparency log</h1>
      <Async value={log} what="the log">
        {(l) => {
          const cp = parseCheckpoint(l.checkpoint);
          return (
            <section aria-labelledby="cp-h">
              <dl class="figures">
                <div class="figure">
                  <dt>Entries</dt>
                  <dd>
                    <span class="big">{num(l.size)}</span>
                  </dd>
                </div>
                <div class="figure">
                  <dt>Origin</dt>
                  <dd class="break">{l.origin}</dd>
                </div>
                <div class="figure">
                  <dt>Signers of the newest checkpoint</dt>
                  <dd>
                    {cp?.signers.length ?? 0}
                    <span class="detail">{cp?.signers.join(', ')}</span>
                  </dd>
                </div>
              </dl>
              <h2 id="cp-h">Newest checkpoint</h2>
              <pre class="note" data-testid="checkpoint">
                {l.checkpoint}
              </pre>
              <p class="small muted break">
                Verifier key <code>{l.vkey}</code>. The first signature is the log's; further ones
                are witnesses' cosignatures.
              </p>
            </section>
          );
        }}
      </Async>
      <section aria-labelledby="hist-h">
        <h2 id="hist-h">Recent checkpoints</h2>
        <Async value={recent} what="the checkpoints">
          {(c) => (
            <Table caption="Recent signed checkpoints" hideCaption>
              <thead>
                <tr>
                  <th scope="col">Size</th>
                  <th scope="col">Root hash</th>
                  <th scope="col">Signed by</th>
                </tr>
              </thead>
              <tbody>
                {[...c.checkpoints].reverse().map((x) => (
                  <tr key={x.size}>
                    <th scope="row">{num(x.size)}</th>
                    <td class="break">
                      <code>{x.rootHash}</code>
                    </td>
                    <td class="break">{parseCheckpoint(x.note)?.signers.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </Async>
      </section>
      <section aria-labelledby="rep-h">
        <h2 id="rep-h">Mirrors, monitors and witnesses that report</h2>
        <Async value={reporters} what="the reporters">
          {(r) =>
            r.items.length === 0 ? (
              <p class="muted">
                Nothing reports to this service yet (`custody log monitor --report-to`).
              </p>
            ) : (
              <Table caption="Reporters and their last consistent size" hideCaption>
                <thead data-testid="reporters">
                  <tr>
                    <th scope="col">Reporter</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Last consistent size</th>
                    <th scope="col">Checked</th>
                    <th scope="col">State</th>
                  </tr>
                </thead>
                <tbody>
                  {r.items.map((x) => (
                    <tr key={x.name}>
                      <th scope="row" class="break">
                        {x.name}
                        <span class="muted small block">{x.origin}</span>
                      </th>
                      <td>{x.kind}</td>
                      <td>
                        {num(x.size)}
                        {x.behind !== null && x.behind > 0 && (
                          <span class="muted small block">{num(x.behind)} behind</span>
                        )}
                      </td>
                      <td>{dateTime(x.verifiedAt)}</td>
                      <td>
                        {x.inconsistency ? (
                          <Status
                            tone="bad"
                            label={`inconsistent: ${x.inconsistency.code}`}
                            title={x.inconsistency.message}
                          />
                        ) : (
                          <Status tone="good" label="consistent" />
                        )}
                        {x.inconsistencies.length > 0 && (
                          <span class="muted small block">
                            {x.inconsistencies.length} inconsistencies reported ever
                          </span>
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
    </>
  );
}
