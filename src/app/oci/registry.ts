import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadOciSettings, type OciSettings } from '../../config/index.js';
import { HttpClient } from '../../net/http.js';
import {
  type ImageReference,
  loadRegistryCredentials,
  parseImageReference,
  RegistryClient,
} from '../../oci/index.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface RegistryOptions {
  /** For tests: a client with fast retries. */
  http?: HttpClient;
  onRequest?: (method: string, url: string) => void;
}

/**
 * The registry client the environment configures (CUSTODY_OCI_REGISTRIES, CUSTODY_OCI_INSECURE,
 * CUSTODY_OCI_AUTH). Credentials are read when first needed.
 * @throws CoreError USAGE (settings), OciError OCI_CREDENTIALS_INVALID
 */
export function openRegistry(
  env: Env,
  o: RegistryOptions = {},
): { client: RegistryClient; settings: OciSettings } {
  const settings = loadOciSettings(env);
  let creds: ReturnType<typeof loadRegistryCredentials> | undefined;
  const client = new RegistryClient({
    http: o.http ?? new HttpClient({ timeoutMs: 60_000, retries: 2 }),
    allowed: (registry) => settings.registries.includes(registry.toLowerCase()),
    insecure: (registry) => settings.insecure.includes(registry.toLowerCase()),
    credentials: (registry) => {
      creds ??= loadRegistryCredentials(settings.auth);
      return creds.get(registry.toLowerCase());
    },
    ...(o.onRequest !== undefined ? { onRequest: o.onRequest } : {}),
  });
  return { client, settings };
}

/**
 * `custody sign <arg>` and `attest <arg>` take an image when the argument is not a file there, not
 * `sha256:…`, and parses as a reference to one of the configured registries. Anything else keeps
 * its file meaning (so a missing file still says FILE_NOT_FOUND).
 */
export function imageRefIfConfigured(
  arg: string,
  cwd: string,
  env: Env,
): ImageReference | undefined {
  if (arg.startsWith('sha256:') || existsSync(resolve(cwd, arg))) return undefined;
  let ref: ImageReference;
  try {
    ref = parseImageReference(arg);
  } catch {
    return undefined;
  }
  const settings = loadOciSettings(env);
  return settings.registries.includes(ref.registry.toLowerCase()) ? ref : undefined;
}

/**
 * An image reference from the command line.
 * @throws OciError OCI_REFERENCE_INVALID
 */
export function parseImageArg(text: string): ImageReference {
  return parseImageReference(text);
}
