import { CustodyError } from '../core/index.js';

/**
 * Custody's one outbound HTTP client: a time-out on every attempt, retries with exponential
 * backoff and jitter for idempotent requests that failed transiently, and a circuit breaker per
 * origin so that a service that is down is not asked again and again while it is.
 *
 * What it never does: read or judge a body, or turn an answer into a domain error. An answer
 * comes back as the Response (a retryable status too, once the retries are spent); only the
 * failures that have no answer throw, as a NetError. Each caller maps both to its own codes.
 */

export type NetErrorCode =
  /** No answer: connection refused or reset, DNS failure, TLS failure. */
  | 'NET_UNREACHABLE'
  /** No answer within the per-attempt time-out. */
  | 'NET_TIMEOUT'
  /** The origin failed too often lately; not asked until its cool-down is over. */
  | 'NET_CIRCUIT_OPEN';

/** details: url, attempts; `cause` is the last underlying error (fetch's own). */
export class NetError extends CustodyError<NetErrorCode> {}

export function isNetError(e: unknown): e is NetError {
  return e instanceof NetError;
}

export interface BreakerOptions {
  /** Consecutive failed attempts that open the circuit. Default 5. */
  failureThreshold?: number;
  /** How long an open circuit refuses before one trial request is let through. Default 30 s. */
  coolDownMs?: number;
}

export interface HttpClientOptions {
  /** Per attempt. Default 30 s. */
  timeoutMs?: number;
  /** Attempts after the first, for idempotent requests. Default 4. */
  retries?: number;
  /** First backoff; doubled each retry, capped at `maxBackoffMs`, jittered to [½, 1]. Default 250 ms. */
  backoffMs?: number;
  /** Also caps Retry-After. Default 10 s. */
  maxBackoffMs?: number;
  /** Statuses worth asking again. Default 408, 429, 502, 503, 504. */
  retryStatus?: (status: number) => boolean;
  /** Per origin; `false` turns it off. */
  breaker?: BreakerOptions | false;
  /** Told before each retry (a CLI says what it is waiting for). */
  onRetry?: (attempt: number, delayMs: number, reason: string) => void;
  /** For tests. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

export interface HttpRequest extends Omit<RequestInit, 'signal'> {
  timeoutMs?: number;
  retries?: number;
  /** Safe to send twice. Default: GET, HEAD, OPTIONS, PUT and DELETE are; POST and PATCH not. */
  idempotent?: boolean;
}

export interface HttpAnswer {
  response: Response;
  /** How many attempts were made (1 = no retry). */
  attempts: number;
}

const DEFAULT_RETRY_STATUS = (s: number) =>
  s === 408 || s === 429 || s === 502 || s === 503 || s === 504;
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * The delay before retry `attempt` (1-based): `base · 2^(attempt-1)`, capped, then jittered to
 * [½, 1] of that so that clients that failed together do not retry together.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const delay = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(delay * (0.5 + random() / 2));
}

/** Retry-After as delta-seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(v: string | null, now: number = Date.now()): number | undefined {
  if (v === null || v.trim() === '') return undefined;
  const s = Number(v);
  if (Number.isFinite(s)) return s >= 0 ? s * 1000 : undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

interface Circuit {
  failures: number;
  openedAt?: number;
  trialInFlight: boolean;
}

/** Circuit state per origin: closed → open (after N failures) → half-open (one trial) → closed. */
export class CircuitBreakers {
  private readonly circuits = new Map<string, Circuit>();
  private readonly threshold: number;
  private readonly coolDownMs: number;

  constructor(
    o: BreakerOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.threshold = o.failureThreshold ?? 5;
    this.coolDownMs = o.coolDownMs ?? 30_000;
  }

  /** May a request go to `origin` now? A half-open circuit lets one trial through at a time. */
  allow(origin: string): boolean {
    const c = this.circuits.get(origin);
    if (c?.openedAt === undefined) return true;
    if (this.now() - c.openedAt < this.coolDownMs || c.trialInFlight) return false;
    c.trialInFlight = true;
    return true;
  }

  succeeded(origin: string): void {
    this.circuits.delete(origin);
  }

  failed(origin: string): void {
    const c = this.circuits.get(origin) ?? { failures: 0, trialInFlight: false };
    c.failures++;
    if (c.trialInFlight || c.failures >= this.threshold) c.openedAt = this.now();
    c.trialInFlight = false;
    this.circuits.set(origin, c);
  }

  /** For diagnostics and tests: closed, open, or half-open (cool-down over, no trial yet). */
  state(origin: string): 'closed' | 'open' | 'half-open' {
    const c = this.circuits.get(origin);
    if (c?.openedAt === undefined) return 'closed';
    return this.now() - c.openedAt < this.coolDownMs || c.trialInFlight ? 'open' : 'half-open';
  }
}

export class HttpClient {
  readonly breakers: CircuitBreakers | undefined;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly o: HttpClientOptions = {}) {
    this.fetchFn = o.fetch ?? ((input, init) => fetch(input, init));
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = o.now ?? Date.now;
    this.breakers = o.breaker === false ? undefined : new CircuitBreakers(o.breaker, this.now);
  }

  /**
   * Send a request. Answers come back whatever their status; an idempotent request is retried
   * on a network error, a time-out or a retryable status, and the last answer is returned.
   * @throws NetError NET_UNREACHABLE, NET_TIMEOUT (after the retries), NET_CIRCUIT_OPEN
   */
  async request(url: string | URL, init: HttpRequest = {}): Promise<HttpAnswer> {
    const { timeoutMs, retries, idempotent, ...rest } = init;
    const href = typeof url === 'string' ? url : url.href;
    const origin = originOf(href);
    const method = (rest.method ?? 'GET').toUpperCase();
    const maxRetries =
      (idempotent ?? IDEMPOTENT.has(method)) ? (retries ?? this.o.retries ?? 4) : 0;
    const retryStatus = this.o.retryStatus ?? DEFAULT_RETRY_STATUS;
    for (let attempt = 1; ; attempt++) {
      if (this.breakers && !this.breakers.allow(origin)) {
        throw new NetError(
          'NET_CIRCUIT_OPEN',
          `${origin} failed repeatedly; not asking it again for a while`,
          { details: { url: href, attempts: attempt - 1 } },
        );
      }
      let retryAfterMs: number | undefined;
      let reason: string;
      try {
        const response = await this.fetchFn(url, {
          ...rest,
          signal: AbortSignal.timeout(timeoutMs ?? this.o.timeoutMs ?? 30_000),
        });
        const transient = retryStatus(response.status);
        if (transient && response.status >= 500) this.breakers?.failed(origin);
        else this.breakers?.succeeded(origin);
        if (!transient || attempt > maxRetries) return { response, attempts: attempt };
        await response.body?.cancel();
        reason = `HTTP ${response.status}`;
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.now());
      } catch (e) {
        this.breakers?.failed(origin);
        const timedOut = (e as Error)?.name === 'TimeoutError';
        if (attempt > maxRetries) {
          throw new NetError(
            timedOut ? 'NET_TIMEOUT' : 'NET_UNREACHABLE',
            `${href}: ${timedOut ? 'timed out' : causeMessage(e)}`,
            { cause: e, details: { url: href, attempts: attempt } },
          );
        }
        reason = timedOut ? 'timed out' : causeMessage(e);
      }
      const maxMs = this.o.maxBackoffMs ?? 10_000;
      const delay =
        retryAfterMs !== undefined
          ? Math.min(maxMs, retryAfterMs)
          : backoffDelay(attempt, this.o.backoffMs ?? 250, maxMs, this.o.random);
      this.o.onRetry?.(attempt, delay, reason);
      await this.sleep(delay);
    }
  }
}

let shared: HttpClient | undefined;

/** The process's client for one-off calls (its breakers are shared by all of them). */
export function sharedHttpClient(): HttpClient {
  shared ??= new HttpClient();
  return shared;
}

/** fetch's own message is "fetch failed"; the reason is in its cause. */
export function causeMessage(e: unknown): string {
  const err = e as Error;
  return err?.cause instanceof Error ? err.cause.message : (err?.message ?? String(e));
}

function originOf(href: string): string {
  try {
    return new URL(href).origin;
  } catch {
    return href;
  }
}

/** What failed under a NetError (fetch's own error), for callers whose messages quote it. */
export function underlyingError(e: unknown): unknown {
  return e instanceof NetError && e.cause !== undefined ? e.cause : e;
}
