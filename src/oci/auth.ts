import { OciError } from './errors.js';
import { DOCKER_HUB } from './reference.js';

/** What Custody presents to a registry (or its token service). */
export type RegistryCredential =
  | { kind: 'basic'; username: string; password: string }
  /** A registry token used as it is (docker config's `registrytoken`). */
  | { kind: 'bearer'; token: string };

/** One challenge of a WWW-Authenticate header (RFC 7235 §4.1). */
export interface AuthChallenge {
  scheme: 'basic' | 'bearer';
  params: Record<string, string>;
}

const HEADER_MAX = 8192;

/**
 * The Basic and Bearer challenges of a (untrusted) WWW-Authenticate header; other schemes are
 * left out. `Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"`.
 */
export function parseWwwAuthenticate(header: string | null): AuthChallenge[] {
  if (header === null || header.length > HEADER_MAX) return [];
  const out: AuthChallenge[] = [];
  // scheme, then comma-separated key=value or key="quoted", until the next scheme token.
  const re =
    /([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?:\s+|$)((?:[A-Za-z0-9_-]+\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^\s,]*)\s*,?\s*)*)/g;
  for (const m of header.matchAll(re)) {
    const scheme = (m[1] as string).toLowerCase();
    if (scheme !== 'basic' && scheme !== 'bearer') continue;
    const params: Record<string, string> = {};
    for (const p of (m[2] ?? '').matchAll(
      /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g,
    )) {
      params[(p[1] as string).toLowerCase()] =
        p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
    }
    out.push({ scheme, params });
  }
  return out;
}

/**
 * The credentials of a docker-style config.json (`{"auths": {"registry": {"auth": base64(user:pw)}
 * | {"username", "password"} | {"registrytoken"}}}`), by registry host. Docker Hub's historical
 * keys (`https://index.docker.io/v1/`) count as docker.io. Credential helpers (`credsStore`,
 * `credHelpers`) run programs and are not followed.
 * @throws OciError OCI_CREDENTIALS_INVALID
 */
export function parseDockerConfig(text: string, source: string): Map<string, RegistryCredential> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw invalid(source, 'it is not JSON', e);
  }
  const auths = (doc as { auths?: unknown } | null)?.auths;
  if (
    typeof doc !== 'object' ||
    doc === null ||
    (auths !== undefined && (typeof auths !== 'object' || auths === null))
  )
    throw invalid(source, 'it has no "auths" object');
  const out = new Map<string, RegistryCredential>();
  for (const [key, entry] of Object.entries((auths ?? {}) as Record<string, unknown>)) {
    const e = entry as Record<string, unknown> | null;
    if (typeof e !== 'object' || e === null) throw invalid(source, `auths.${key} is not an object`);
    const host = registryOfKey(key);
    if (typeof e['registrytoken'] === 'string' && e['registrytoken'] !== '') {
      out.set(host, { kind: 'bearer', token: e['registrytoken'] });
    } else if (typeof e['auth'] === 'string' && e['auth'] !== '') {
      const plain = Buffer.from(e['auth'], 'base64').toString('utf8');
      const colon = plain.indexOf(':');
      if (colon < 1) throw invalid(source, `auths.${key}.auth is not base64 of user:password`);
      out.set(host, {
        kind: 'basic',
        username: plain.slice(0, colon),
        password: plain.slice(colon + 1),
      });
    } else if (typeof e['username'] === 'string' && typeof e['password'] === 'string') {
      out.set(host, { kind: 'basic', username: e['username'], password: e['password'] });
    }
  }
  return out;
}

/** `https://index.docker.io/v1/`, `registry.example:5000`, `http://host/` → the host[:port]. */
function registryOfKey(key: string): string {
  const host = key
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? DOCKER_HUB : host;
}

export function basicHeader(c: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
}

function invalid(source: string, why: string, cause?: unknown): OciError {
  return new OciError(
    'OCI_CREDENTIALS_INVALID',
    `Registry credentials in ${source} cannot be read: ${why}. Give a docker-style config.json ({"auths": {...}}).`,
    {
      ...(cause !== undefined ? { cause } : {}),
    },
  );
}
