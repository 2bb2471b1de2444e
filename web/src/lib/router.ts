import { useEffect, useState } from 'preact/hooks';

// Hash routing: `custody serve` serves one index.html, and a reload keeps the view.
export type Route =
  | { view: 'portfolio' }
  | { view: 'vulnerabilities' }
  | { view: 'release'; id: number }
  | { view: 'admission' }
  | { view: 'tlog' }
  | { view: 'figures' }
  | { view: 'search'; q: string };

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  switch (parts[0]) {
    case 'vulnerabilities':
      return { view: 'vulnerabilities' };
    case 'releases': {
      const id = Number(parts[1]);
      return Number.isInteger(id) && id > 0 ? { view: 'release', id } : { view: 'portfolio' };
    }
    case 'admission':
      return { view: 'admission' };
    case 'tlog':
      return { view: 'tlog' };
    case 'figures':
      return { view: 'figures' };
    case 'search':
      return { view: 'search', q: new URLSearchParams(query).get('q') ?? '' };
    default:
      return { view: 'portfolio' };
  }
}

export const href = {
  portfolio: '#/',
  vulnerabilities: '#/vulnerabilities',
  release: (id: number) => `#/releases/${id}`,
  admission: '#/admission',
  tlog: '#/tlog',
  figures: '#/figures',
  search: (q: string) => `#/search?${new URLSearchParams({ q })}`,
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}
