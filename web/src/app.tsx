import { useEffect, useRef, useState } from 'preact/hooks';
import type { SessionView } from '../../src/api/index.js';
import { Header } from './components/header.js';
import { Nav } from './components/nav.js';
import { ApiError, get, whenUnauthorized } from './lib/api.js';
import { useRoute } from './lib/router.js';
import { readToken } from './lib/session.js';
import { Login } from './views/login.js';
import { View } from './views/view.js';

const TITLES: Record<ReturnType<typeof useRoute>['view'], string> = {
  portfolio: 'Portfolio',
  vulnerabilities: 'Vulnerabilities',
  release: 'Release',
  admission: 'Admission',
  tlog: 'Transparency log',
  figures: 'Figures',
  search: 'Search',
};

type State =
  | { at: 'login'; error: ApiError | null }
  | { at: 'checking' }
  | { at: 'in'; session: SessionView };

export function App() {
  const [state, setState] = useState<State>(
    readToken() ? { at: 'checking' } : { at: 'login', error: null },
  );
  const route = useRoute();
  const first = useRef(true);

  // A new view: say so in the title, and move focus to its content so that keyboard and screen
  // reader users start there (not on the first load: Tab starts at the skip link then).
  useEffect(() => {
    document.title = `${TITLES[route.view]} · Custody`;
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus();
  }, [route]);

  useEffect(() => {
    whenUnauthorized(() => setState({ at: 'login', error: null }));
  }, []);

  useEffect(() => {
    if (state.at !== 'checking') return;
    get<SessionView>('/api/v1/whoami').then(
      (session) => setState({ at: 'in', session }),
      (e: unknown) =>
        setState({
          at: 'login',
          error: e instanceof ApiError ? e : new ApiError(0, 'CLIENT', String(e)),
        }),
    );
  }, [state.at]);

  if (state.at === 'login')
    return <Login error={state.error} onToken={() => setState({ at: 'checking' })} />;
  if (state.at === 'checking')
    return (
      <p class="loading center" role="status">
        Checking your session…
      </p>
    );
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <Header session={state.session} onLogout={() => setState({ at: 'login', error: null })} />
      <div class="shell">
        <Nav route={route} />
        <main id="main" tabIndex={-1}>
          <View route={route} session={state.session} />
        </main>
      </div>
    </>
  );
}
