/** GET /api/v1/whoami: who the page is logged in as and what it may show. */
export interface SessionView {
  actor: string;
  person: string;
  role: 'admin' | 'publisher' | 'approver' | 'auditor' | 'viewer';
  /** Teams the caller is scoped to; null for organisation-wide tokens. */
  teams: string[] | null;
  /** When a login session ends (null for API tokens without expiry). */
  expiresAt: string | null;
}

/** GET /api/v1/login/config: how the dashboard's login page offers OIDC, when configured. */
export interface LoginConfig {
  oidc: { issuer: string; loginUrl: string } | null;
}
