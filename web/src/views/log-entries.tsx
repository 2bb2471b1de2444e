import { useEffect, useState } from 'preact/hooks';
import type { ReleaseLogEntry } from '../../../src/api/index.js';
import { Status } from '../components/status.js';
import { Table } from '../components/table.js';
import { checkInclusion, type ProofResult, parseCheckpoint } from '../lib/merkle.js';

/** Each entry's inclusion proof, checked by this page against the checkpoint's root. */
export function LogEntries({ entries }: { entries: ReleaseLogEntry[] }) {
  const [results, setResults] = useState<Record<number, ProofResult>>({});
  useEffect(() => {
    let live = true;
    setResults({});
    for (const e of entries)
      checkInclusion(e).then(
        (r) => live && setResults((x) => ({ ...x, [e.logIndex]: r })),
        (err: unknown) =>
          live && setResults((x) => ({ ...x, [e.logIndex]: { ok: false, why: String(err) } })),
      );
    return () => {
      live = false;
    };
  }, [entries]);
  return (
    <section aria-labelledby="log-h">
      <h2 id="log-h">Transparency log entries</h2>
      {entries.length === 0 ? (
        <p class="muted">No log entries for this release.</p>
      ) : (
        <>
          <p class="small muted">
            Checked in your browser: the leaf hash and the audit path (RFC 6962) must reach the root
            of the signed checkpoint.
          </p>
          <Table caption="Log entries and their inclusion proofs" hideCaption>
            <thead>
              <tr>
                <th scope="col">Index</th>
                <th scope="col">Checkpoint</th>
                <th scope="col">Inclusion</th>
              </tr>
            </thead>
            <tbody data-testid="log-entries" aria-live="polite">
              {entries.map((e) => {
                const cp = parseCheckpoint(e.checkpoint);
                const r = results[e.logIndex];
                return (
                  <tr key={e.logIndex}>
                    <th scope="row">{e.logIndex}</th>
                    <td class="break">
                      {cp ? `${cp.origin}, size ${cp.size}` : 'unreadable'}
                      {cp && (
                        <span class="muted small block">
                          signed by {cp.signers.join(', ') || 'nobody'}
                        </span>
                      )}
                    </td>
                    <td data-testid={`proof-${e.logIndex}`}>
                      {r === undefined ? (
                        <span class="muted">checking…</span>
                      ) : r.ok ? (
                        <Status tone="good" label="✓ included" />
                      ) : (
                        <Status tone="bad" label={`✗ not proven: ${r.why}`} />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        </>
      )}
    </section>
  );
}
