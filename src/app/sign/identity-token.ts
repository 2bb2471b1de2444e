import { CIContextProvider } from '@sigstore/sign';
import type { Env } from '../../fs/key-files.js';
import { postServiceJson } from '../../net/service-json.js';
import { SignError } from '../../sign/index.js';

/**
 * An ID token for keyless signing: the CI's (GitHub Actions, SIGSTORE_ID_TOKEN), else one from
 * the dev issuer of `custody serve --dev-oidc` at `url` when CUSTODY_DEV_OIDC_SUBJECT names whom.
 * @throws SignError SIGN_TOKEN_INVALID (none to be had), SIGN_SERVICE_FAILED
 */
export async function idToken(env: Env, url: string): Promise<string> {
  if (env['SIGSTORE_ID_TOKEN']) return env['SIGSTORE_ID_TOKEN'];
  if (env['ACTIONS_ID_TOKEN_REQUEST_URL'] && env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'])
    return new CIContextProvider('sigstore').getToken();
  const subject = env['CUSTODY_DEV_OIDC_SUBJECT'];
  if (subject) {
    const body = (await postServiceJson(
      `${url}/dev-oidc/token`,
      {
        subject,
        ...(subject.includes('@') ? { claims: { email: subject, email_verified: true } } : {}),
      },
      'the dev OIDC issuer',
    )) as { id_token?: string; access_token?: string };
    const token = body.id_token ?? body.access_token;
    if (token) return token;
  }
  throw new SignError(
    'SIGN_TOKEN_INVALID',
    'No OIDC identity token: run in CI with id-token permission, set SIGSTORE_ID_TOKEN, or (one machine) run custody serve --dev-oidc and set CUSTODY_DEV_OIDC_SUBJECT.',
  );
}
