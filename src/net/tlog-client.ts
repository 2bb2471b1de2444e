import { formatTileIndex, TlogError } from '../tlog/index.js';
import { type HttpAnswer, HttpClient, NetError, underlyingError } from './http.js';

/**
 * Outbound HTTP to tlog-tiles logs and tlog-witness witnesses: time-outs, retries with backoff on
 * network errors, 5xx and 429, and byte limits on every answer (everything read here is untrusted).
 */

export interface TlogClientOptions {
  /** The log's prefix, e.g. `https://custody.example/tlog/` (a trailing slash is added). */
  url: string;
  /** Per attempt. Default 30 s. */
  timeoutMs?: number;
  /** Attempts after the first one. Default 4. */
  retries?: number;
  /** First backoff; doubled each retry, with jitter, capped at 10 s (or Retry-After). Default 250 ms. */
  backoffMs?: number;
  /** Default 1 MiB: a note with many post-quantum cosignatures stays well under it. */
  maxCheckpointBytes?: number;
  /** Default 256 entries of the largest uint16-prefixed entry (about 16 MiB). */
  maxEntryBundleBytes?: number;
  /** For tests: the fetch and sleep to use. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** The client to send with (its circuit breakers included); default: one of its own. */
  http?: HttpClient;
}

const FULL_TILE_BYTES = 256 * 32;

/** Reads a tlog-tiles log (`<prefix>/checkpoint`, `tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>…`). */
export class TlogClient {
  readonly base: URL;
  private readonly http: HttpGetter;

  constructor(private readonly o: TlogClientOptions) {
    this.base = parseBase(o.url);
    this.http = new HttpGetter(o, o.http);
  }

  /** The signed checkpoint, exactly as served (verify it before trusting anything in it). */
  async readCheckpoint(): Promise<Uint8Array> {
    return (await this.http.get(this.url('checkpoint'), this.o.maxCheckpointBytes ?? 1 << 20, true))
      .body;
  }

  /**
   * A hash tile of `width` hashes (256 = full). A partial tile the log no longer serves falls back to
   * the full tile, cut to `width` (C2SP tlog-tiles allows deleting partials once the full one exists).
   * @throws TlogError TLOG_FETCH_FAILED, TLOG_FETCH_TOO_LARGE, TLOG_TILE_INVALID (wrong length)
   */
  async readTile(level: number, index: number, width: number): Promise<Uint8Array> {
    const body = await this.withFullFallback(`tile/${level}/`, index, width, FULL_TILE_BYTES);
    if (body.length < width * 32) {
      throw new TlogError(
        'TLOG_TILE_INVALID',
        `tile ${level}/${index} of width ${width} has ${body.length} bytes, expected ${width * 32}`,
        { details: { level, index, width, bytes: body.length } },
      );
    }
    return body.length === width * 32 ? body : body.subarray(0, width * 32);
  }

  /** An entry bundle of `width` entries (256 = full); decode and check it against the level-0 tile. */
  async readEntryBundle(index: number, width: number): Promise<Uint8Array> {
    return this.withFullFallback(
      'tile/entries/',
      index,
      width,
      this.o.maxEntryBundleBytes ?? 256 * (65535 + 2),
    );
  }

  /** Any path under the prefix, for resources outside tlog-tiles. */
  async readPath(path: string, maxBytes: number): Promise<Uint8Array> {
    return (await this.http.get(this.url(path), maxBytes, true)).body;
  }

  private async withFullFallback(
    dir: string,
    index: number,
    width: number,
    maxBytes: number,
  ): Promise<Uint8Array> {
    const n = formatTileIndex(index);
    if (width === 256) return (await this.http.get(this.url(`${dir}${n}`), maxBytes, true)).body;
    const partial = await this.http.get(this.url(`${dir}${n}.p/${width}`), maxBytes, false);
    if (partial.status !== 404) return partial.body;
    const full = await this.http.get(this.url(`${dir}${n}`), maxBytes, true);
    return dir === 'tile/entries/' ? firstEntries(full.body, width) : full.body;
  }

  private url(path: string): URL {
    return new URL(path, this.base);
  }
}

export interface WitnessAnswer {
  status: number;
  contentType: string;
  body: string;
}

/**
 * POST a C2SP tlog-witness `add-checkpoint` request to `<witnessUrl>/add-checkpoint` and return the
 * answer whatever its status (the caller interprets 409, 422, …); only network errors, 5xx and 429
 * are retried. add-checkpoint is safe to repeat: a repeat of an accepted request is answered 409
 * with the size it already has.
 */
export async function postAddCheckpoint(
  witnessUrl: string,
  body: Uint8Array | string,
  o: Omit<TlogClientOptions, 'url'> = {},
): Promise<WitnessAnswer> {
  const base = parseBase(witnessUrl);
  // Witnesses are asked every few seconds for as long as the service runs: they share one set of
  // circuit breakers, so a witness that is down is left alone until its cool-down is over.
  const http = new HttpGetter(
    o,
    o.http ?? (Object.keys(o).length === 0 ? witnessHttp() : undefined),
  );
  const r = await http.send(new URL('add-checkpoint', base), 64 << 10, {
    method: 'POST',
    body,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  });
  return { status: r.status, contentType: r.contentType, body: new TextDecoder().decode(r.body) };
}

let witnessClient: HttpClient | undefined;
function witnessHttp(): HttpClient {
  witnessClient ??= new HttpClient({ retries: 4, retryStatus: (s) => s === 429 || s >= 500 });
  return witnessClient;
}

function parseBase(url: string): URL {
  try {
    const u = new URL(url.endsWith('/') ? url : `${url}/`);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
    return u;
  } catch {
    throw new TlogError(
      'TLOG_FETCH_FAILED',
      `not an http(s) URL: ${JSON.stringify(url)} (expected e.g. https://custody.example/tlog/)`,
      { details: { url } },
    );
  }
}

// The first `width` uint16-prefixed entries of a full bundle (a malformed bundle is returned whole
// and fails its check against the level-0 tile later).
function firstEntries(bundle: Uint8Array, width: number): Uint8Array {
  let off = 0;
  for (let i = 0; i < width; i++) {
    if (off + 2 > bundle.length) return bundle;
    off += 2 + (((bundle[off] as number) << 8) | (bundle[off + 1] as number));
  }
  return off <= bundle.length ? bundle.subarray(0, off) : bundle;
}

interface Got {
  status: number;
  contentType: string;
  body: Uint8Array;
}

// GET/POST with a byte limit over the shared HTTP client; used by the log reader and the witness
// client. The log's rules: every 5xx and 429 is worth a retry, and add-checkpoint is safe to repeat.
class HttpGetter {
  private readonly http: HttpClient;

  constructor(o: Omit<TlogClientOptions, 'url'>, http?: HttpClient) {
    this.http =
      http ??
      new HttpClient({
        timeoutMs: o.timeoutMs ?? 30_000,
        retries: o.retries ?? 4,
        backoffMs: o.backoffMs ?? 250,
        retryStatus: (s) => s === 429 || s >= 500,
        ...(o.fetch ? { fetch: o.fetch } : {}),
        ...(o.sleep ? { sleep: o.sleep } : {}),
      });
  }

  /** `required`: a 404 throws; otherwise it is returned as a status for the caller's fallback. */
  async get(url: URL, maxBytes: number, required: boolean): Promise<Got> {
    const r = await this.send(url, maxBytes, {
      method: 'GET',
      headers: { 'accept-encoding': 'gzip, identity' },
    });
    if (r.status === 200 || (r.status === 404 && !required)) return r;
    throw new TlogError('TLOG_FETCH_FAILED', `${url.href} answered ${r.status}`, {
      details: { url: url.href, status: r.status },
    });
  }

  async send(url: URL, maxBytes: number, init: RequestInit): Promise<Got> {
    let answer: HttpAnswer;
    try {
      answer = await this.http.request(url, { ...init, redirect: 'follow', idempotent: true });
    } catch (e) {
      if (!(e instanceof NetError)) throw e;
      const attempts = Number(e.details?.['attempts'] ?? 1);
      const why =
        e.code === 'NET_CIRCUIT_OPEN' ? e.message : describeNetworkError(underlyingError(e));
      throw new TlogError('TLOG_FETCH_FAILED', `${url.href}: ${why} (after ${attempts} attempts)`, {
        cause: e.cause ?? e,
        details: { url: url.href, status: 0, attempts },
      });
    }
    const res = answer.response;
    if (res.status >= 500 || res.status === 429) {
      await res.body?.cancel();
      throw new TlogError(
        'TLOG_FETCH_FAILED',
        `${url.href} answered ${res.status} (after ${answer.attempts} attempts)`,
        { details: { url: url.href, status: res.status, attempts: answer.attempts } },
      );
    }
    const body = await readLimited(res, maxBytes, url);
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', body };
  }
}

// Streams the body and stops as soon as it passes the limit (a hostile server may send gigabytes).
async function readLimited(res: Response, maxBytes: number, url: URL): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  const tooLarge = () =>
    new TlogError('TLOG_FETCH_TOO_LARGE', `${url.href} is larger than ${maxBytes} bytes`, {
      details: { url: url.href, maxBytes },
    });
  // content-length counts encoded bytes; only trust it to refuse when the body is not compressed.
  if (!res.headers.get('content-encoding') && declared > maxBytes) {
    await res.body?.cancel();
    throw tooLarge();
  }
  if (!res.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

function describeNetworkError(e: unknown): string {
  const err = e as Error;
  if (err?.name === 'TimeoutError') return 'timed out';
  return err?.cause instanceof Error ? err.cause.message : (err?.message ?? String(e));
}
