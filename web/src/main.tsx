import { render } from 'preact';
import { App } from './app.js';
import { takeLoginFragment } from './lib/session.js';
import './styles.css';

// First thing: an OIDC login's `#login=<token>` leaves the address bar before anything renders.
takeLoginFragment();
performance.mark('custody:start');
render(<App />, document.getElementById('app') as HTMLElement);
