import { useState } from 'preact/hooks';
import type { Page, ReleaseComponent } from '../../../src/api/index.js';
import { Async } from '../components/async.js';
import { EmptyRow, Pager, Table, useCursorPages } from '../components/table.js';
import { withQuery } from '../lib/api.js';
import { short } from '../lib/format.js';
import { useApi } from '../lib/use-api.js';

/** The release's components, searchable, with licences and hashes; one page at a time. */
export function ReleaseComponents({ id }: { id: number }) {
  const [q, setQ] = useState('');
  const [typed, setTyped] = useState('');
  const pages = useCursorPages();
  const cursor = pages.cursor;
  const page = useApi<Page<ReleaseComponent>>(
    withQuery(`/api/v1/dashboard/releases/${id}/components`, { q, cursor, limit: 25 }),
  );
  return (
    <section aria-labelledby="comp-h">
      <h2 id="comp-h">Components</h2>
      <form
        class="inline-form"
        aria-label="Find a component"
        onSubmit={(e) => {
          e.preventDefault();
          setQ(typed.trim());
          pages.reset();
        }}
      >
        <label for="comp-q">Find a component</label>
        <input
          id="comp-q"
          type="search"
          value={typed}
          onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
        />
        <button type="submit">Find</button>
      </form>
      <Async value={page} what="the components">
        {(p) => (
          <>
            <Table caption="Components with licences and hashes" hideCaption>
              <thead>
                <tr>
                  <th scope="col">Component</th>
                  <th scope="col">Licences</th>
                  <th scope="col">Hashes</th>
                </tr>
              </thead>
              <tbody data-testid="components">
                {p.items.length === 0 && <EmptyRow columns={3}>No component matches.</EmptyRow>}
                {p.items.map((c) => (
                  <tr key={`${c.artifactId}:${c.purl ?? c.name}`}>
                    <th scope="row" class="break">
                      {c.name}
                      {c.version && `@${c.version}`}
                      {c.purl && <span class="muted small block">{c.purl}</span>}
                    </th>
                    <td class="break">
                      {c.licenses.length > 0 ? (
                        c.licenses.join(', ')
                      ) : (
                        <span class="muted">none</span>
                      )}
                    </td>
                    <td>
                      {c.hashes.length === 0 ? (
                        <span class="muted">none</span>
                      ) : (
                        c.hashes.map((h) => (
                          <code key={h.alg} class="block small" title={h.content}>
                            {h.alg} {short(h.content, 10)}
                          </code>
                        ))
                      )}
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
