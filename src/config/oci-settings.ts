import { CoreError } from '../core/index.js';

/**
 * Which OCI registries Custody may talk to, and how (CUSTODY_OCI_*). A reference to any other
 * registry is refused before a request is made.
 */
export interface OciSettings {
  /**
   * CUSTODY_OCI_REGISTRIES: comma-separated `host[:port]` (`docker.io` for Docker Hub). Empty:
   * no registry is allowed.
   */
  registries: readonly string[];
  /**
   * CUSTODY_OCI_INSECURE: registries among those reached over plain HTTP. Loopback registries
   * (localhost, 127.0.0.0/8, ::1) always are; every other one is HTTPS unless listed here.
   */
  insecure: readonly string[];
  /**
   * CUSTODY_OCI_AUTH: a docker-style config.json, as a path or as the JSON itself
   * (`{"auths": {"host": {"auth": "<base64 user:password>"}}}`). Default: $DOCKER_CONFIG/config.json
   * when DOCKER_CONFIG is set; otherwise anonymous.
   */
  auth: { kind: 'file'; path: string } | { kind: 'inline'; json: string } | undefined;
}

const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** @throws CoreError USAGE naming the variable at fault */
export function loadOciSettings(env: Readonly<Record<string, string | undefined>>): OciSettings {
  const registries = hosts(env['CUSTODY_OCI_REGISTRIES'], 'CUSTODY_OCI_REGISTRIES');
  const insecure = hosts(env['CUSTODY_OCI_INSECURE'], 'CUSTODY_OCI_INSECURE');
  const raw = env['CUSTODY_OCI_AUTH']?.trim();
  const dockerConfig = env['DOCKER_CONFIG']?.trim();
  const auth: OciSettings['auth'] =
    raw !== undefined && raw !== ''
      ? raw.startsWith('{')
        ? { kind: 'inline', json: raw }
        : { kind: 'file', path: raw }
      : dockerConfig !== undefined && dockerConfig !== ''
        ? { kind: 'file', path: `${dockerConfig.replace(/\/+$/, '')}/config.json` }
        : undefined;
  return Object.freeze({ registries, insecure, auth });
}

function hosts(v: string | undefined, name: string): string[] {
  const list = (v ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  for (const h of list)
    if (!HOST.test(h))
      throw new CoreError(
        'USAGE',
        `${name} is a comma-separated list of registry host[:port], e.g. ghcr.io,registry.example:5000; ${JSON.stringify(h)} is not one`,
      );
  return list.map((h) => (h === 'index.docker.io' ? 'docker.io' : h));
}
