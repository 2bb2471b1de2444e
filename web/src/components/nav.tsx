import { href, type Route } from '../lib/router.js';

const ITEMS: { view: Route['view']; label: string; href: string }[] = [
  { view: 'portfolio', label: 'Portfolio', href: href.portfolio },
  { view: 'vulnerabilities', label: 'Vulnerabilities', href: href.vulnerabilities },
  { view: 'admission', label: 'Admission', href: href.admission },
  { view: 'tlog', label: 'Transparency log', href: href.tlog },
  { view: 'figures', label: 'Figures', href: href.figures },
];

export function Nav({ route }: { route: Route }) {
  return (
    <nav class="side" aria-label="Main">
      <ul>
        {ITEMS.map((i) => (
          <li key={i.view}>
            <a
              href={i.href}
              {...(route.view === i.view ? { 'aria-current': 'page' as const } : {})}
            >
              {i.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
