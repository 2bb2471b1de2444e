import { CoreError } from '../core/index.js';
import type { TransparencyLogJson } from '../sign/index.js';
import { sharedHttpClient, underlyingError } from './http.js';

/**
 * The `tlogs[]` entry a running `custody serve` publishes for its log (GET /api/v1/tlog).
 * @throws CoreError USAGE when the server cannot be read
 */
export async function fetchLogTrustEntry(baseUrl: string): Promise<TransparencyLogJson> {
  const url = `${baseUrl.replace(/\/+$/, '')}/api/v1/tlog`;
  let body: { trustedRootTlog?: TransparencyLogJson };
  try {
    const { response: res } = await sharedHttpClient().request(url, { timeoutMs: 10_000 });
    if (!res.ok) throw new Error(`status ${res.status}`);
    body = (await res.json()) as typeof body;
  } catch (e) {
    const cause = underlyingError(e);
    throw new CoreError(
      'USAGE',
      `Cannot read the log's trust entry from ${url}: ${(cause as Error).message}`,
      { cause },
    );
  }
  if (body.trustedRootTlog === undefined)
    throw new CoreError('USAGE', `${url} has no trustedRootTlog.`);
  return body.trustedRootTlog;
}
