import type { ReleaseDetail, SessionView } from '../../../src/api/index.js';
import { Async } from '../components/async.js';
import { Status } from '../components/status.js';
import { Table } from '../components/table.js';
import { date, short } from '../lib/format.js';
import { useApi } from '../lib/use-api.js';
import { EvidenceButton } from './evidence-button.js';
import { LogEntries } from './log-entries.js';
import { ReleaseComponents } from './release-components.js';
import { ReleaseDiff } from './release-diff.js';

/** One release: artifacts, SLSA, signatures, log entries checked here, components, the diff. */
export function Release({ id }: { id: number; session: SessionView }) {
  const detail = useApi<ReleaseDetail>(`/api/v1/dashboard/releases/${id}`);
  return (
    <Async value={detail} what="the release">
      {(r) => (
        <>
          <h1>
            {r.product} {r.version}
          </h1>
          <p class="meta">
            Team {r.team} · created {date(r.createdAt)} ·{' '}
            {r.deployed ? (
              <Status tone="info" label="deployed" />
            ) : (
              <Status tone="neutral" label="not deployed" />
            )}
            {r.ticket && <> · ticket {r.ticket}</>}
          </p>
          <EvidenceButton product={r.product} version={r.version} />
          <section aria-labelledby="artifacts-h">
            <h2 id="artifacts-h">Artifacts and provenance</h2>
            <p>
              SLSA build level:{' '}
              {r.slsa ? (
                <strong>
                  L{r.slsa.level}
                  {r.slsa.builder && <span class="muted"> (builder {r.slsa.builder})</span>}
                </strong>
              ) : (
                <Status tone="warn" label="no provenance assessed" />
              )}
            </p>
            {r.slsa && r.slsa.reasons.length > 0 && (
              <ul class="small">
                {r.slsa.reasons.map((x) => (
                  <li key={x}>{x}</li>
                ))}
              </ul>
            )}
            <Table caption="Artifacts of the release" hideCaption>
              <thead>
                <tr>
                  <th scope="col">Artifact</th>
                  <th scope="col">Digest</th>
                  <th scope="col">SBOM</th>
                </tr>
              </thead>
              <tbody>
                {r.artifacts.map((a) => (
                  <tr key={a.id}>
                    <th scope="row" class="break">
                      {a.name ?? '(unnamed)'}
                    </th>
                    <td>
                      <code title={a.digest}>{short(a.digest)}</code>
                    </td>
                    <td>
                      {a.sbom ? (
                        `v${a.sbom.version} · ${a.sbom.componentCount} components · quality ${a.sbom.qualityScore.toFixed(1)}`
                      ) : (
                        <Status tone="bad" label="no SBOM" />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </section>
          <section aria-labelledby="sigs-h">
            <h2 id="sigs-h">Signatures</h2>
            {r.signatures.length === 0 ? (
              <p>
                <Status tone="warn" label="unsigned" /> No SBOM of this release is signed.
              </p>
            ) : (
              <Table caption="Signatures" hideCaption>
                <thead>
                  <tr>
                    <th scope="col">Signer</th>
                    <th scope="col">What and how</th>
                    <th scope="col">Log index</th>
                    <th scope="col">Signed</th>
                  </tr>
                </thead>
                <tbody data-testid="signatures">
                  {r.signatures.map((s) => (
                    <tr key={s.bundleDigest}>
                      <th scope="row" class="break">
                        {s.signer.kind === 'identity' ? (
                          <>
                            {s.signer.identity}
                            <span class="muted small block">issuer {s.signer.issuer}</span>
                          </>
                        ) : (
                          <>
                            {s.signer.name ?? 'key'}{' '}
                            <span class="muted small block">key {s.signer.hint}</span>
                          </>
                        )}
                      </th>
                      <td>
                        <span class="block small">
                          {s.subject === 'sbom'
                            ? `SBOM ${s.sbomId ?? ''}`
                            : (s.predicateType ?? 'attestation')}
                        </span>
                        {s.emergency ? (
                          <Status tone="warn" label="emergency certificate" />
                        ) : (
                          <Status
                            tone="good"
                            label={s.signer.kind === 'identity' ? 'keyless' : 'key'}
                          />
                        )}
                      </td>
                      <td>{s.logIndex ?? '—'}</td>
                      <td>{date(s.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )}
          </section>
          <LogEntries entries={r.logEntries} />
          <ReleaseComponents id={r.id} />
          <ReleaseDiff id={r.id} previous={r.previous} />
        </>
      )}
    </Async>
  );
}
