import { CIContextProvider } from '@sigstore/sign';
import { SignError } from '../../sign/errors.js';
import type { CliIO } from '../io.js';

/** A service's JSON answer, or SIGN_SERVICE_FAILED naming the service and its status. */
export async function json(res: Response, service: string): Promise<unknown> {
  const text = await res.text();
  if (!res.ok)
    throw new SignError(
      'SIGN_SERVICE_FAILED',
      `${service} answered ${res.status}: ${text.slice(0, 300)}`,
      {
        details: { service, status: res.status },
      },
    );
  return JSON.parse(text) as unknown;
}

/** An ID token: the CI's (GitHub Actions, SIGSTORE_ID_TOKEN), else the dev issuer's. */
export async function idToken(io: CliIO, url: string): Promise<string> {
  if (io.env['SIGSTORE_ID_TOKEN']) return io.env['SIGSTORE_ID_TOKEN'];
  if (io.env['ACTIONS_ID_TOKEN_REQUEST_URL'] && io.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'])
    return new CIContextProvider('sigstore').getToken();
  const subject = io.env['CUSTODY_DEV_OIDC_SUBJECT'];
  if (subject) {
    const res = await fetch(`${url}/dev-oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        subject,
        ...(subject.includes('@') ? { claims: { email: subject, email_verified: true } } : {}),
      }),
    });
    const body = (await json(res, 'the dev OIDC issuer')) as {
      id_token?: string;
      access_token?: string;
    };
    const token = body.id_token ?? body.access_token;
    if (token) return token;
  }
  throw new SignError(
    'SIGN_TOKEN_INVALID',
    'No OIDC identity token: run in CI with id-token permission, set SIGSTORE_ID_TOKEN, or (one machine) run custody serve --dev-oidc and set CUSTODY_DEV_OIDC_SUBJECT.',
  );
}
