import type { AdmissionCacheSettings, OciSettings } from '../../../config/index.js';
import { HttpClient } from '../../../net/http.js';
import { loadRegistryCredentials, RegistryClient } from '../../../oci/index.js';

/**
 * The registry client admission uses: the configured registries only (CUSTODY_OCI_REGISTRIES;
 * anything else is refused before a request), and its own HttpClient with the short admission
 * time-outs and one retry, and breakers of its own, so that a slow registry costs a review at
 * most `timeout × (retries + 1)` and a dead one is not asked again while its circuit is open.
 */
export function openAdmissionRegistry(
  oci: OciSettings,
  cache: Pick<AdmissionCacheSettings, 'upstreamTimeoutMs' | 'upstreamRetries'>,
  o: { onRequest?: (method: string, url: string) => void; http?: HttpClient } = {},
): RegistryClient {
  let creds: ReturnType<typeof loadRegistryCredentials> | undefined;
  return new RegistryClient({
    http:
      o.http ??
      new HttpClient({
        timeoutMs: cache.upstreamTimeoutMs,
        retries: cache.upstreamRetries,
        backoffMs: 100,
        maxBackoffMs: 500,
        breaker: { failureThreshold: 5, coolDownMs: 10_000 },
      }),
    allowed: (registry) => oci.registries.includes(registry.toLowerCase()),
    insecure: (registry) => oci.insecure.includes(registry.toLowerCase()),
    credentials: (registry) => {
      creds ??= loadRegistryCredentials(oci.auth);
      return creds.get(registry.toLowerCase());
    },
    ...(o.onRequest !== undefined ? { onRequest: o.onRequest } : {}),
  });
}
