import { CustodyError } from '../core/index.js';
import { HttpClient, NetError, underlyingError } from './http.js';

/** An error the service answered with (its code and message), or the service being unreachable. */
export class ApiError extends CustodyError {
  constructor(
    code: string,
    message: string,
    readonly status: number,
    details?: Record<string, unknown>,
  ) {
    super(code, message, details === undefined ? {} : { details });
  }
}

export interface ClientOptions {
  /** Base URL of a running `custody serve`, e.g. http://127.0.0.1:8080 */
  url: string;
  token: string;
  timeoutMs?: number;
  /** Retries of idempotent requests (GET) that found the service unreachable or busy. Default 2. */
  retries?: number;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: Uint8Array | string | object;
  contentType?: string;
}

/** A small client for Custody's own HTTP API, used by the CLI's service commands. */
export class CustodyClient {
  private readonly base: URL;
  private readonly http: HttpClient;

  constructor(private readonly o: ClientOptions) {
    this.http = new HttpClient({ timeoutMs: o.timeoutMs ?? 120_000, retries: o.retries ?? 2 });
    try {
      this.base = new URL(o.url.endsWith('/') ? o.url : `${o.url}/`);
    } catch {
      throw new CustodyError(
        'USAGE',
        `--url (or CUSTODY_URL) must be a URL such as http://127.0.0.1:8080, got ${JSON.stringify(o.url)}`,
      );
    }
  }

  /** A GET whose 2xx answer is bytes (a tar, a file), returned as they came. */
  async download(path: string): Promise<Uint8Array> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    let res: Response;
    try {
      res = (
        await this.http.request(url, {
          method: 'GET',
          headers: { authorization: `Bearer ${this.o.token}` },
        })
      ).response;
    } catch (e) {
      if (!(e instanceof NetError)) throw e;
      throw new ApiError(
        'SERVICE_UNREACHABLE',
        `Cannot reach Custody at ${this.base.origin}: ${(underlyingError(e) as Error).message}; is custody serve running there?`,
        0,
      );
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (res.status >= 400) {
      let err: { code?: string; message?: string } | undefined;
      try {
        err = (JSON.parse(new TextDecoder().decode(bytes)) as { error?: typeof err }).error;
      } catch {
        err = undefined;
      }
      throw new ApiError(
        err?.code ?? `HTTP_${res.status}`,
        err?.message ?? `The service answered ${res.status} ${res.statusText}`,
        res.status,
      );
    }
    return bytes;
  }

  /** Send a request; 2xx answers are parsed as JSON (or returned as text when they are not JSON). */
  async request<T = unknown>(
    method: string,
    path: string,
    r: RequestOptions = {},
  ): Promise<{ status: number; body: T }> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    for (const [k, v] of Object.entries(r.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.o.token}`,
      accept: 'application/json',
    };
    let body: Uint8Array | string | undefined;
    if (r.body !== undefined) {
      if (r.body instanceof Uint8Array || typeof r.body === 'string') {
        body = r.body;
        headers['content-type'] = r.contentType ?? 'application/octet-stream';
      } else {
        body = JSON.stringify(r.body);
        headers['content-type'] = 'application/json';
      }
    }
    let res: Response;
    try {
      res = (
        await this.http.request(url, {
          method,
          headers,
          ...(body !== undefined ? { body } : {}),
        })
      ).response;
    } catch (e) {
      if (!(e instanceof NetError)) throw e;
      const cause = underlyingError(e) as Error;
      const why =
        e.code === 'NET_CIRCUIT_OPEN'
          ? e.message
          : cause.cause instanceof Error
            ? cause.cause.message
            : cause.message;
      throw new ApiError(
        'SERVICE_UNREACHABLE',
        `Cannot reach Custody at ${this.base.origin}: ${why}; is custody serve running there?`,
        0,
      );
    }
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (res.status >= 400) {
      const err = (
        parsed as { error?: { code?: string; message?: string; details?: Record<string, unknown> } }
      )?.error;
      throw new ApiError(
        err?.code ?? `HTTP_${res.status}`,
        err?.message ?? `The service answered ${res.status} ${res.statusText}`,
        res.status,
        err?.details,
      );
    }
    return { status: res.status, body: parsed as T };
  }
}
