import { SignError } from '../sign/index.js';
import { sharedHttpClient, underlyingError } from './http.js';

/**
 * JSON calls to the services signing needs (Custody's log API, the dev OIDC issuer), through the
 * shared HTTP client. A non-2xx answer is SIGN_SERVICE_FAILED naming the service and its status;
 * no answer at all rethrows fetch's own error, as these calls always have.
 */

/** A service's JSON answer, or SIGN_SERVICE_FAILED naming the service and its status. */
export async function serviceJson(res: Response, service: string): Promise<unknown> {
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

/** GET `url` (retried when the service is unreachable or busy) and read its JSON answer. */
export async function getServiceJson(url: string, service: string): Promise<unknown> {
  return serviceJson(await send(url, { method: 'GET' }), service);
}

/** POST `body` as JSON (not retried: the service may have acted on it) and read the answer. */
export async function postServiceJson(
  url: string,
  body: unknown,
  service: string,
): Promise<unknown> {
  const res = await send(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return serviceJson(res, service);
}

async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return (await sharedHttpClient().request(url, init)).response;
  } catch (e) {
    throw underlyingError(e);
  }
}
