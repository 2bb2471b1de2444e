import { isNetError } from '../net/http.js';
import { type AuthChallenge, basicHeader, type RegistryCredential } from './auth.js';
import type { RegistryClientOptions } from './client.js';
import { OciError } from './errors.js';
import { isLoopback } from './reference.js';
import { drain, type Repository, readCapped, where } from './responses.js';

const TOKEN_MAX_BYTES = 1024 * 1024;

/**
 * Credentials and tokens for a registry client: distribution's token flow (docker's token
 * spec: the realm, service and scope of a Bearer challenge; Basic credentials to the realm; the
 * token cached per registry and scope until shortly before it expires) and Basic auth. Basic
 * credentials go to a realm only over HTTPS or on loopback.
 */
export class RegistryAuth {
  private readonly tokens = new Map<string, { header: string; expiresAt: number }>();
  private readonly basic = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly o: RegistryClientOptions) {
    this.now = o.now ?? Date.now;
  }

  /** The Authorization header to send first: a cached token, or credentials already asked for. */
  headerFor(registry: string, scope: string): string | undefined {
    const t = this.tokens.get(`${registry}|${scope}`);
    if (t !== undefined && t.expiresAt > this.now()) return t.header;
    const c = this.o.credentials?.(registry);
    if (c?.kind === 'basic' && this.basic.has(registry)) return basicHeader(c);
    if (c?.kind === 'bearer') return `Bearer ${c.token}`;
    return undefined;
  }

  /**
   * Answer a 401's challenges: the distribution token flow (Bearer) or Basic credentials.
   * @throws OciError OCI_AUTH_FAILED, OCI_RESPONSE_INVALID, OCI_REGISTRY_UNAVAILABLE
   */
  async answer(repo: Repository, challenges: AuthChallenge[], scope: string): Promise<string> {
    const creds = this.o.credentials?.(repo.registry);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer !== undefined) {
      const header = await this.fetchToken(repo, bearer, scope, creds);
      return header;
    }
    if (challenges.some((c) => c.scheme === 'basic') && creds?.kind === 'basic') {
      this.basic.add(repo.registry);
      return basicHeader(creds);
    }
    throw new OciError(
      'OCI_AUTH_FAILED',
      `${where(repo)} asks for credentials Custody does not have: give them in CUSTODY_OCI_AUTH (a docker-style config.json).`,
      { details: { ...repo } },
    );
  }

  private async fetchToken(
    repo: Repository,
    c: AuthChallenge,
    scope: string,
    creds: RegistryCredential | undefined,
  ): Promise<string> {
    const realm = c.params['realm'];
    let url: URL;
    try {
      url = new URL(realm ?? '');
    } catch {
      throw new OciError('OCI_RESPONSE_INVALID', `${where(repo)} named no usable token realm.`);
    }
    const plainOk =
      url.protocol === 'http:' &&
      (isLoopback(url.host) || this.o.insecure?.(repo.registry) === true);
    if (url.protocol !== 'https:' && !plainOk)
      throw new OciError(
        'OCI_RESPONSE_INVALID',
        `${where(repo)} named a token realm at ${url.origin}, not HTTPS.`,
      );
    if (c.params['service'] !== undefined) url.searchParams.set('service', c.params['service']);
    // The scope Custody needs; the challenge's own when it asks for one this client did not name.
    const asked = c.params['scope'];
    url.searchParams.append('scope', scope);
    if (asked !== undefined && asked !== scope)
      for (const s of asked.split(' ')) url.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    if (creds?.kind === 'basic') headers['authorization'] = basicHeader(creds);
    this.o.onRequest?.('GET', url.href);
    let r: Response;
    try {
      ({ response: r } = await this.o.http.request(url, {
        method: 'GET',
        headers,
        redirect: 'manual',
      }));
    } catch (e) {
      if (isNetError(e))
        throw new OciError(
          'OCI_REGISTRY_UNAVAILABLE',
          `The token service of ${repo.registry} did not answer: ${e.message}`,
          { cause: e },
        );
      throw e;
    }
    if (r.status !== 200) {
      await drain(r);
      throw new OciError(
        'OCI_AUTH_FAILED',
        `The token service of ${repo.registry} refused (HTTP ${r.status}): check CUSTODY_OCI_AUTH.`,
        {
          details: { ...repo, status: r.status },
        },
      );
    }
    const body = await readCapped(r, TOKEN_MAX_BYTES, 'the token answer');
    let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      doc = JSON.parse(new TextDecoder().decode(body));
    } catch (e) {
      throw new OciError(
        'OCI_RESPONSE_INVALID',
        `The token service of ${repo.registry} answered something other than JSON.`,
        { cause: e },
      );
    }
    const token =
      typeof doc?.token === 'string' && doc.token !== '' ? doc.token : doc?.access_token;
    if (typeof token !== 'string' || token === '' || /[\r\n]/.test(token))
      throw new OciError(
        'OCI_RESPONSE_INVALID',
        `The token service of ${repo.registry} answered without a token.`,
      );
    const seconds =
      typeof doc.expires_in === 'number' && doc.expires_in >= 60 ? doc.expires_in : 60;
    const header = `Bearer ${token}`;
    // Kept a little less long than the service says, so a token is not sent as it expires.
    this.tokens.set(`${repo.registry}|${scope}`, {
      header,
      expiresAt: this.now() + (seconds - 10) * 1000,
    });
    return header;
  }
}
