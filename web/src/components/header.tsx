import { useState } from 'preact/hooks';
import type { SessionView } from '../../../src/api/index.js';
import { post } from '../lib/api.js';
import { href } from '../lib/router.js';
import { clearToken } from '../lib/session.js';

/** The search box (purl, name@version or a CVE id) and who is logged in. */
export function Header({ session, onLogout }: { session: SessionView; onLogout: () => void }) {
  const [q, setQ] = useState('');
  return (
    <header class="top">
      <a class="brand" href={href.portfolio}>
        Custody
      </a>
      <search class="search">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (q.trim() !== '') location.hash = href.search(q.trim());
          }}
        >
          <label for="q" class="visually-hidden">
            Search releases by purl, name@version or vulnerability id
          </label>
          <input
            id="q"
            type="search"
            placeholder="purl, name@version or CVE…"
            value={q}
            onInput={(e) => setQ((e.target as HTMLInputElement).value)}
          />
          <button type="submit">Search</button>
        </form>
      </search>
      <div class="who">
        <span>
          <span class="visually-hidden">Logged in as </span>
          <strong>{session.person ?? session.actor}</strong>{' '}
          <span class="role">{session.role}</span>
          {session.teams && <span class="muted small"> · {session.teams.join(', ')}</span>}
        </span>
        <button
          type="button"
          class="link"
          onClick={() => {
            // Ends an OIDC session on the service too; an API token stays valid (it is only forgotten).
            void post('/api/v1/logout').catch(() => {});
            clearToken();
            onLogout();
          }}
        >
          Log out
        </button>
      </div>
    </header>
  );
}
