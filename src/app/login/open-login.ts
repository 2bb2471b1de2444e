import type { LoginSettings } from '../../config/index.js';
import { hasAnyGrant } from '../../store/login-grants.js';
import { listTokens } from '../../store/tokens.js';
import { DEV_LOGIN_CLIENT_ID, DEV_LOGIN_SUBJECT, type DevOidcIssuer } from '../ca/index.js';
import type { Services } from '../services.js';
import { CLI_CALLER } from '../tokens.js';
import { addLoginGrant } from './grants.js';
import { createOidcLogin, type OidcLogin } from './oidc-login.js';

/**
 * The dashboard's OIDC login as `custody serve` runs it: the configured provider
 * (CUSTODY_LOGIN_OIDC_*), else, with `--dev-oidc` only, the development issuer — and then the
 * first admin token's person may log in as the dev identity (DEV_LOGIN_SUBJECT) with that
 * token's role, so `npm start` users can click "Log in with OIDC". Undefined: no OIDC login.
 */
export async function openLogin(
  s: Services,
  o: { settings: LoginSettings; publicUrl: string; devOidc: DevOidcIssuer | undefined },
): Promise<OidcLogin | undefined> {
  const base = { publicUrl: o.publicUrl, sessionTtlSeconds: o.settings.sessionTtlSeconds };
  if (o.settings.oidc) return createOidcLogin(s, { ...base, ...o.settings.oidc });
  if (!o.devOidc) return undefined;
  await grantDevIdentity(s, o.devOidc.issuer);
  return createOidcLogin(s, {
    ...base,
    issuer: o.devOidc.issuer,
    clientId: DEV_LOGIN_CLIENT_ID,
    clientSecret: undefined,
    dev: true,
  });
}

// The bootstrap admin's person (the oldest live organisation-wide admin token) gets the dev
// identity once per dev issuer URL; a revoked grant is not made again.
async function grantDevIdentity(s: Services, issuer: string): Promise<void> {
  const at = s.clock().toISOString();
  if (await hasAnyGrant(s.db.kysely, { issuer, subject: DEV_LOGIN_SUBJECT })) return;
  const admin = (await listTokens(s.db.kysely)).find(
    (t) =>
      t.role === 'admin' &&
      t.teams === '[]' &&
      t.revoked_at === null &&
      (t.expires_at === null || t.expires_at > at),
  );
  if (!admin) return;
  await addLoginGrant(s, CLI_CALLER, {
    issuer,
    subject: DEV_LOGIN_SUBJECT,
    person: admin.person,
    role: 'admin',
  });
}
