// The API token lives in sessionStorage: it ends with the tab, and never reaches a URL or a cookie.
const KEY = 'custody.token';

export function readToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(KEY, token.trim());
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
}

/**
 * The OIDC login ends on `/#login=<token>`: take the token and remove it from the address bar and
 * the history at once, so it is neither bookmarked nor shown.
 */
export function takeLoginFragment(): void {
  const m = /^#login=([^&]+)/.exec(location.hash);
  if (!m) return;
  storeToken(decodeURIComponent(m[1] as string));
  history.replaceState(null, '', `${location.pathname}${location.search}#/`);
}
