import { type HttpClient, isNetError } from '../net/http.js';
import { parseWwwAuthenticate, type RegistryCredential } from './auth.js';
import { OciError } from './errors.js';
import {
  type Descriptor,
  MANIFEST_MAX_BYTES,
  type ParsedManifest,
  parseManifest,
} from './manifest.js';
import { MANIFEST_ACCEPT } from './media-types.js';
import { apiHost, type ImageReference, isLoopback, isSha256Digest } from './reference.js';
import { RegistryAuth } from './registry-auth.js';
import {
  drain,
  expectStatus,
  nextLink,
  type Repository,
  readCapped,
  sha256,
  where,
} from './responses.js';

export interface RegistryClientOptions {
  http: HttpClient;
  /**
   * Is this registry one Custody may talk to? Asked before any request for it is made, so a
   * reference outside the allow-list sends nothing.
   */
  allowed: (registry: string) => boolean;
  /** Plain HTTP for this registry (loopback registries always get it). */
  insecure?: (registry: string) => boolean;
  credentials?: (registry: string) => RegistryCredential | undefined;
  /** Largest blob read into memory (default 64 MiB). */
  maxBlobBytes?: number;
  /** Told of every request sent (method and URL), for logs and tests. */
  onRequest?: (method: string, url: string) => void;
  now?: () => number;
}

export interface FetchedManifest extends Descriptor {
  /** The exact bytes, whose sha256 is `digest`. */
  bytes: Uint8Array;
  parsed: ParsedManifest;
}

type Access = 'pull' | 'pull,push';

const REDIRECTS_MAX = 5;
const REFERRER_PAGES_MAX = 20;

/**
 * A client of the OCI distribution API (distribution-spec v1.1): manifests and blobs, pulled
 * and verified against their digests, pushed monolithically; the registry token flow and Basic
 * auth; the referrers API. Every request goes through net/'s HttpClient (time-outs, retries,
 * breakers) with redirects handled here: a blob GET may be sent on to storage on another host,
 * without credentials; any other redirect off the registry's origin is refused.
 */
export class RegistryClient {
  private readonly auth: RegistryAuth;

  constructor(private readonly o: RegistryClientOptions) {
    this.auth = new RegistryAuth(o);
  }

  /**
   * Refuse a registry outside the allow-list: callers check every reference before any I/O.
   * @throws OciError OCI_REGISTRY_FORBIDDEN
   */
  assertAllowed(registry: string): void {
    if (!this.o.allowed(registry))
      throw new OciError(
        'OCI_REGISTRY_FORBIDDEN',
        `${registry} is not one of the configured registries: add it to CUSTODY_OCI_REGISTRIES to use it.`,
        { details: { registry } },
      );
  }

  /**
   * A manifest by tag or digest, its bytes checked against the digest asked for, or (by tag)
   * against the registry's Docker-Content-Digest.
   * @throws OciError OCI_MANIFEST_NOT_FOUND, OCI_DIGEST_MISMATCH, OCI_RESPONSE_TOO_LARGE,
   *   OCI_MANIFEST_INVALID, OCI_AUTH_FAILED, OCI_REDIRECT_FORBIDDEN, OCI_REGISTRY_UNAVAILABLE
   */
  async getManifest(repo: Repository, reference: string): Promise<FetchedManifest> {
    const r = await this.send(repo, 'GET', `manifests/${reference}`, 'pull', {
      headers: { accept: MANIFEST_ACCEPT },
    });
    if (r.status === 404) {
      await drain(r);
      throw new OciError('OCI_MANIFEST_NOT_FOUND', `${where(repo)}:${reference} does not exist.`, {
        details: { ...repo, reference },
      });
    }
    await expectStatus(r, [200], repo, `GET manifest ${reference}`);
    const bytes = await readCapped(r, MANIFEST_MAX_BYTES, `the manifest ${reference}`);
    const digest = sha256(bytes);
    const expected = isSha256Digest(reference) ? reference : r.headers.get('docker-content-digest');
    if (expected !== null && expected !== digest)
      throw new OciError(
        'OCI_DIGEST_MISMATCH',
        `${where(repo)} answered ${reference} with bytes whose digest is ${digest}, not ${expected}: do not trust this registry's answer.`,
        { details: { ...repo, reference, expected, computed: digest } },
      );
    const contentType = r.headers.get('content-type') ?? undefined;
    const parsed = parseManifest(bytes, contentType);
    const mediaType =
      parsed.manifest.mediaType ??
      contentType?.split(';')[0]?.trim() ??
      'application/vnd.oci.image.manifest.v1+json';
    return { mediaType, digest, size: bytes.byteLength, bytes, parsed };
  }

  /**
   * The digest a tag (or digest) names: the manifest's bytes are fetched and hashed, never the
   * header alone believed.
   */
  async resolve(ref: ImageReference): Promise<FetchedManifest> {
    const repo = { registry: ref.registry, repository: ref.repository };
    return this.getManifest(repo, ref.digest ?? ref.tag ?? 'latest');
  }

  /**
   * Put a manifest under `reference` (a tag, or its own digest). Returns its digest and whether
   * the registry processed its subject (the OCI-Subject header: the referrers API is there).
   * @throws OciError OCI_DIGEST_MISMATCH (the registry stored other bytes), OCI_AUTH_FAILED,
   *   OCI_REGISTRY_UNAVAILABLE, OCI_RESPONSE_INVALID
   */
  async putManifest(
    repo: Repository,
    reference: string,
    bytes: Uint8Array,
    mediaType: string,
  ): Promise<{ digest: string; subjectProcessed: boolean }> {
    if (bytes.byteLength > MANIFEST_MAX_BYTES)
      throw new OciError(
        'OCI_RESPONSE_TOO_LARGE',
        `a manifest of ${bytes.byteLength} bytes is over the ${MANIFEST_MAX_BYTES}-byte cap`,
      );
    const digest = sha256(bytes);
    const r = await this.send(repo, 'PUT', `manifests/${reference}`, 'pull,push', {
      headers: { 'content-type': mediaType },
      body: bytes,
    });
    await expectStatus(r, [201, 200], repo, `PUT manifest ${reference}`);
    await drain(r);
    const stored = r.headers.get('docker-content-digest');
    if (stored !== null && stored !== digest)
      throw new OciError(
        'OCI_DIGEST_MISMATCH',
        `${where(repo)} stored the manifest as ${stored}, not ${digest}.`,
        {
          details: { ...repo, expected: digest, computed: stored },
        },
      );
    return { digest, subjectProcessed: r.headers.get('oci-subject') !== null };
  }

  /** @throws OciError OCI_AUTH_FAILED, OCI_REGISTRY_UNAVAILABLE */
  async hasBlob(repo: Repository, digest: string): Promise<boolean> {
    const r = await this.send(repo, 'HEAD', `blobs/${digest}`, 'pull', { blobRedirect: true });
    await drain(r);
    if (r.status === 404) return false;
    await expectStatus(r, [200], repo, `HEAD blob ${digest}`);
    return true;
  }

  /**
   * A blob read into memory (capped) and checked against its digest.
   * @throws OciError OCI_BLOB_NOT_FOUND, OCI_DIGEST_MISMATCH, OCI_RESPONSE_TOO_LARGE, …
   */
  async getBlob(repo: Repository, digest: string, maxBytes?: number): Promise<Uint8Array> {
    if (!isSha256Digest(digest))
      throw new OciError('OCI_MANIFEST_INVALID', `${digest} is not a sha256 digest.`);
    const r = await this.send(repo, 'GET', `blobs/${digest}`, 'pull', { blobRedirect: true });
    if (r.status === 404) {
      await drain(r);
      throw new OciError('OCI_BLOB_NOT_FOUND', `${where(repo)} has no blob ${digest}.`, {
        details: { ...repo, digest },
      });
    }
    await expectStatus(r, [200], repo, `GET blob ${digest}`);
    const bytes = await readCapped(
      r,
      maxBytes ?? this.o.maxBlobBytes ?? 64 * 1024 * 1024,
      `the blob ${digest}`,
    );
    const computed = sha256(bytes);
    if (computed !== digest)
      throw new OciError(
        'OCI_DIGEST_MISMATCH',
        `${where(repo)} answered blob ${digest} with bytes whose digest is ${computed}.`,
        {
          details: { ...repo, expected: digest, computed },
        },
      );
    return bytes;
  }

  /**
   * Push a blob unless the repository has it: a monolithic upload (POST, then PUT with the
   * digest), as distribution-spec "Pushing a blob monolithically" describes.
   * @throws OciError OCI_AUTH_FAILED, OCI_REGISTRY_UNAVAILABLE, OCI_RESPONSE_INVALID,
   *   OCI_REDIRECT_FORBIDDEN
   */
  async pushBlob(repo: Repository, bytes: Uint8Array, mediaType: string): Promise<Descriptor> {
    const digest = sha256(bytes);
    const d = { mediaType, digest, size: bytes.byteLength };
    if (await this.hasBlob(repo, digest)) return d;
    const start = await this.send(repo, 'POST', 'blobs/uploads/', 'pull,push', {});
    await expectStatus(start, [202], repo, 'POST blob upload');
    await drain(start);
    const location = start.headers.get('location');
    if (location === null)
      throw new OciError(
        'OCI_RESPONSE_INVALID',
        `${where(repo)} started an upload without a Location.`,
      );
    const base = this.baseUrl(repo.registry);
    const url = new URL(location, base);
    if (url.origin !== new URL(base).origin)
      throw new OciError(
        'OCI_REDIRECT_FORBIDDEN',
        `${where(repo)} sent the upload to ${url.origin}; Custody uploads only to the registry itself.`,
        {
          details: { ...repo, url: url.origin },
        },
      );
    url.searchParams.set('digest', digest);
    const put = await this.sendUrl(repo, 'PUT', url, 'pull,push', {
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    await expectStatus(put, [201], repo, 'PUT blob');
    await drain(put);
    return d;
  }

  /**
   * Mount a blob another repository of the same registry holds (distribution-spec "Mounting a
   * blob from another repository"): no bytes travel. Returns false when the registry did not
   * mount it (it answers 202 and opens an upload instead, which is left to expire); push then.
   * @throws OciError OCI_AUTH_FAILED, OCI_REGISTRY_UNAVAILABLE
   */
  async mountBlob(repo: Repository, digest: string, from: string): Promise<boolean> {
    if (!isSha256Digest(digest))
      throw new OciError('OCI_MANIFEST_INVALID', `${digest} is not a sha256 digest.`);
    const query = new URLSearchParams({ mount: digest, from }).toString();
    const r = await this.send(repo, 'POST', `blobs/uploads/?${query}`, 'pull,push', {});
    await drain(r);
    if (r.status === 201) return true;
    await expectStatus(r, [202], repo, `POST blob mount ${digest}`);
    return false;
  }

  /**
   * The referrers of `digest` through the referrers API (all pages), or `undefined` when the
   * registry has no such API (404, or an answer that is not an image index).
   */
  async referrersApi(
    repo: Repository,
    digest: string,
    artifactType?: string,
  ): Promise<Descriptor[] | undefined> {
    let url: URL | undefined = new URL(
      `${this.baseUrl(repo.registry)}/v2/${repo.repository}/referrers/${digest}`,
    );
    if (artifactType !== undefined) url.searchParams.set('artifactType', artifactType);
    const out: Descriptor[] = [];
    for (let page = 0; url !== undefined; page++) {
      if (page >= REFERRER_PAGES_MAX)
        throw new OciError(
          'OCI_RESPONSE_TOO_LARGE',
          `${where(repo)} lists referrers over more than ${REFERRER_PAGES_MAX} pages.`,
        );
      const r = await this.sendUrl(repo, 'GET', url, 'pull', {
        headers: { accept: 'application/vnd.oci.image.index.v1+json' },
      });
      if (r.status === 404 || (page === 0 && r.status === 405)) {
        await drain(r);
        return page === 0 ? undefined : out;
      }
      await expectStatus(r, [200], repo, `GET referrers ${digest}`);
      const type = r.headers.get('content-type')?.split(';')[0]?.trim();
      const bytes = await readCapped(r, MANIFEST_MAX_BYTES, 'the referrers index');
      // A registry without the API may answer 200 with something else (an HTML page, a catch-all).
      if (type !== undefined && type !== 'application/vnd.oci.image.index.v1+json') {
        if (page === 0) return undefined;
        throw new OciError(
          'OCI_RESPONSE_INVALID',
          `${where(repo)} answered a referrers page as ${type}.`,
        );
      }
      const parsed = parseManifest(bytes, 'application/vnd.oci.image.index.v1+json');
      if (parsed.kind !== 'index')
        throw new OciError('OCI_RESPONSE_INVALID', 'The referrers answer is not an image index.');
      out.push(...parsed.manifest.manifests);
      url = nextLink(r.headers.get('link'), url);
    }
    return out;
  }

  /** The scheme and host a registry is reached at. */
  baseUrl(registry: string): string {
    const plain = isLoopback(registry) || this.o.insecure?.(registry) === true;
    return `${plain ? 'http' : 'https'}://${apiHost(registry)}`;
  }

  private send(
    repo: Repository,
    method: string,
    path: string,
    access: Access,
    init: { headers?: Record<string, string>; body?: Uint8Array; blobRedirect?: boolean },
  ): Promise<Response> {
    this.assertAllowed(repo.registry);
    const url = new URL(`${this.baseUrl(repo.registry)}/v2/${repo.repository}/${path}`);
    return this.sendUrl(repo, method, url, access, init);
  }

  /** One request with auth (one retry after a challenge) and redirects as the class says. */
  private async sendUrl(
    repo: Repository,
    method: string,
    url: URL,
    access: Access,
    init: { headers?: Record<string, string>; body?: Uint8Array; blobRedirect?: boolean },
  ): Promise<Response> {
    this.assertAllowed(repo.registry);
    const scope = `repository:${repo.repository}:${access}`;
    let r = await this.once(repo, method, url, init, this.auth.headerFor(repo.registry, scope));
    if (r.status === 401) {
      const challenges = parseWwwAuthenticate(r.headers.get('www-authenticate'));
      await drain(r);
      const header = await this.auth.answer(repo, challenges, scope);
      r = await this.once(repo, method, url, init, header);
      if (r.status === 401 || r.status === 403) {
        await drain(r);
        throw new OciError(
          'OCI_AUTH_FAILED',
          `${where(repo)} refused the credentials for ${method} ${url.pathname}: check CUSTODY_OCI_AUTH.`,
          {
            details: { ...repo, status: r.status },
          },
        );
      }
    }
    if (r.status === 403) {
      await drain(r);
      throw new OciError('OCI_AUTH_FAILED', `${where(repo)} denied ${method} ${url.pathname}.`, {
        details: { ...repo, status: 403 },
      });
    }
    return r;
  }

  /** Send, following redirects: same origin with the credentials; a blob GET elsewhere without. */
  private async once(
    repo: Repository,
    method: string,
    url: URL,
    init: { headers?: Record<string, string>; body?: Uint8Array; blobRedirect?: boolean },
    auth: string | undefined,
  ): Promise<Response> {
    const origin = url.origin;
    let target = url;
    let authHeader = auth;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { ...(init.headers ?? {}) };
      if (authHeader !== undefined) headers['authorization'] = authHeader;
      this.o.onRequest?.(method, target.href);
      let r: Response;
      try {
        ({ response: r } = await this.o.http.request(target, {
          method,
          headers,
          redirect: 'manual',
          ...(init.body !== undefined ? { body: init.body } : {}),
        }));
      } catch (e) {
        if (isNetError(e))
          throw new OciError(
            'OCI_REGISTRY_UNAVAILABLE',
            `${where(repo)} did not answer: ${e.message}`,
            {
              cause: e,
              details: { ...repo, net: e.code },
            },
          );
        throw e;
      }
      if (r.status < 300 || r.status >= 400 || r.status === 304) return r;
      const location = r.headers.get('location');
      await drain(r);
      if (location === null)
        throw new OciError(
          'OCI_RESPONSE_INVALID',
          `${where(repo)} redirected ${method} ${target.pathname} without a Location.`,
        );
      const next = new URL(location, target);
      const sameOrigin = next.origin === origin;
      const allowed =
        (method === 'GET' || method === 'HEAD') &&
        (sameOrigin || init.blobRedirect === true) &&
        (next.protocol === 'https:' ||
          (next.protocol === 'http:' && (sameOrigin || isLoopback(next.host))));
      if (!allowed || hop >= REDIRECTS_MAX)
        throw new OciError(
          'OCI_REDIRECT_FORBIDDEN',
          `${where(repo)} redirected ${method} ${target.pathname} to ${next.origin}: only blob downloads may be sent to another host.`,
          { details: { ...repo, from: origin, to: next.origin } },
        );
      // Storage behind a blob redirect never sees the registry's credentials.
      if (!sameOrigin) authHeader = undefined;
      target = next;
    }
  }
}

export { type Repository, readCapped, sha256 } from './responses.js';
