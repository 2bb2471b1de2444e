import type { ReleaseDiffView } from '../../../src/api/index.js';
import { Async } from '../components/async.js';
import { href } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';

const LABEL: Record<string, string> = {
  added: 'added',
  removed: 'removed',
  upgraded: 'upgraded',
  downgraded: 'downgraded',
  licenseChanged: 'licence changed',
  hashChanged: 'hash changed',
  edgesAdded: 'dependencies added',
  edgesRemoved: 'dependencies removed',
};

/** What changed in the SBOM against the previous release of the product. */
export function ReleaseDiff({
  id,
  previous,
}: {
  id: number;
  previous: { id: number; version: string } | null;
}) {
  const diff = useApi<ReleaseDiffView>(
    previous ? `/api/v1/releases/${id}/diff?against=${previous.id}` : null,
  );
  return (
    <section aria-labelledby="diff-h">
      <h2 id="diff-h">Changes since the previous release</h2>
      {previous === null ? (
        <p class="muted">This is the product's first release.</p>
      ) : (
        <Async value={diff} what="the diff">
          {(d) => (
            <>
              <p>
                Against <a href={href.release(previous.id)}>{previous.version}</a>:
              </p>
              <ul class="chips">
                {Object.entries(d.diff.summary).map(([k, n]) => (
                  <li key={k}>
                    <strong>{n}</strong> {LABEL[k] ?? k}
                  </li>
                ))}
              </ul>
              {(['added', 'removed', 'upgraded', 'downgraded'] as const).map((k) =>
                d.diff[k].length === 0 ? null : (
                  <details key={k}>
                    <summary>
                      {d.diff[k].length} {LABEL[k]}
                    </summary>
                    <ul class="small break">
                      {d.diff[k].slice(0, 200).map((c, i) => (
                        <li key={i}>{describe(c)}</li>
                      ))}
                    </ul>
                  </details>
                ),
              )}
            </>
          )}
        </Async>
      )}
    </section>
  );
}

/** A diff item names a component (`purl` or `name`) and, for changes, `from` and `to`. */
function describe(c: unknown): string {
  if (typeof c !== 'object' || c === null) return String(c);
  const o = c as Record<string, unknown>;
  const name = String(o['purl'] ?? o['name'] ?? o['key'] ?? JSON.stringify(o));
  const from = o['from'] ?? o['fromVersion'];
  const to = o['to'] ?? o['toVersion'];
  return from !== undefined && to !== undefined ? `${name}: ${String(from)} → ${String(to)}` : name;
}
