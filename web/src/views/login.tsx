import { useEffect, useState } from 'preact/hooks';
import type { LoginConfig } from '../../../src/api/index.js';
import { ErrorBox } from '../components/async.js';
import { type ApiError, get } from '../lib/api.js';
import { storeToken } from '../lib/session.js';

/** Paste an API token (`custody serve` prints one on first start), or log in with OIDC. */
export function Login({ error, onToken }: { error: ApiError | null; onToken: () => void }) {
  const [token, setToken] = useState('');
  const [oidc, setOidc] = useState<LoginConfig['oidc']>(null);
  useEffect(() => {
    // No OIDC offered (or an older service without the route): the token form is enough.
    get<LoginConfig>('/api/v1/login/config').then(
      (c) => setOidc(c.oidc),
      () => setOidc(null),
    );
  }, []);
  return (
    <main id="main" class="login">
      <h1>Custody</h1>
      <p class="muted">
        Software supply-chain custody: SBOMs, signatures, provenance, VEX, admission.
      </p>
      {error && <ErrorBox error={error} what="your session" />}
      <form
        class="login-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim() === '') return;
          storeToken(token);
          onToken();
        }}
      >
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          placeholder="cust_…"
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          required
        />
        <p class="hint">
          Kept in this tab only (session storage). `custody token create` makes one.
        </p>
        <button type="submit" class="primary">
          Log in
        </button>
      </form>
      {oidc && (
        <p>
          <a class="button" href={oidc.loginUrl}>
            Log in with OIDC
          </a>{' '}
          <span class="muted small">({oidc.issuer})</span>
        </p>
      )}
    </main>
  );
}
