import type { SessionView } from '../../../src/api/index.js';
import type { Route } from '../lib/router.js';
import { Admission } from './admission.js';
import { Figures } from './figures.js';
import { Portfolio } from './portfolio.js';
import { Release } from './release.js';
import { Search } from './search.js';
import { Transparency } from './transparency.js';
import { Vulnerabilities } from './vulnerabilities.js';

export function View({ route, session }: { route: Route; session: SessionView }) {
  switch (route.view) {
    case 'portfolio':
      return <Portfolio />;
    case 'vulnerabilities':
      return <Vulnerabilities session={session} />;
    case 'release':
      return <Release id={route.id} session={session} />;
    case 'admission':
      return <Admission />;
    case 'tlog':
      return <Transparency />;
    case 'figures':
      return <Figures session={session} />;
    case 'search':
      return <Search q={route.q} />;
  }
}
