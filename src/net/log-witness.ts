import { RekorWitness, type Witness } from '@sigstore/sign';
import { SignError } from '../sign/index.js';
import { backoffDelay } from './http.js';

export interface LogWitnessOptions {
  /** The Custody server, e.g. `https://custody.example` (its Rekor v1 API is under /api/v1/log). */
  url: string;
  /** Attempts after the first. Default 4. */
  retries?: number;
  /** First backoff; doubled each retry, with jitter, capped at 10 s. Default 250 ms. */
  backoffMs?: number;
  /** Per attempt. Default 30 s. */
  timeoutMs?: number;
  /** For tests. */
  sleep?: (ms: number) => Promise<void>;
}

export interface RetryOptions {
  /** Named in errors and notices: "transparency log", "certificate authority". */
  service: string;
  url: string;
  retries?: number;
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Called before each retry, so a CLI can say what it is waiting for. */
  onRetry?: (attempt: number, delayMs: number, reason: string) => void;
}

const MAX_BACKOFF_MS = 10_000;

/**
 * @sigstore/sign's RekorWitness sends its own HTTP requests, so it cannot go through net/http's
 * client; its retries here follow the same rules (backoffDelay) and name the service on failure.
 *
 * A witness that logs a bundle's signature in Custody's transparency log through its Rekor v1 API,
 * with retries. sigstore-js's own retries are off so that ours name the service when they give up;
 * an entry that a timed-out attempt already created comes back as 409 and is fetched, not doubled.
 */
export function custodyLogWitness(o: LogWitnessOptions & Pick<RetryOptions, 'onRetry'>): Witness {
  const url = o.url.replace(/\/+$/, '');
  const rekor = new RekorWitness({
    rekorBaseURL: url,
    retry: 0,
    timeout: o.timeoutMs ?? 30_000,
    fetchOnConflict: true,
  });
  return withRetries(rekor, {
    service: 'transparency log',
    url: `${url}/api/v1/log/entries`,
    ...(o.retries !== undefined ? { retries: o.retries } : {}),
    ...(o.backoffMs !== undefined ? { backoffMs: o.backoffMs } : {}),
    ...(o.sleep ? { sleep: o.sleep } : {}),
    ...(o.onRetry ? { onRetry: o.onRetry } : {}),
  });
}

/**
 * Retry a witness on network errors, time-outs, 408, 429 and 5xx with exponential backoff; give up
 * at once on other answers (the service refused the entry, and asking again will not change that).
 * @throws SignError SIGN_SERVICE_FAILED with details.service, url, attempts and status
 */
export function withRetries(witness: Witness, o: RetryOptions): Witness {
  const retries = o.retries ?? 4;
  const backoffMs = o.backoffMs ?? 250;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return {
    async testify(content, publicKey) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await witness.testify(content, publicKey);
        } catch (e) {
          const failure = describe(e);
          if (!failure.retryable || attempt > retries) {
            throw new SignError(
              'SIGN_SERVICE_FAILED',
              `the ${o.service} at ${o.url} failed` +
                (attempt > 1 ? ` after ${attempt} attempts` : '') +
                `: ${failure.reason}`,
              {
                cause: e,
                details: {
                  service: o.service,
                  url: o.url,
                  attempts: attempt,
                  ...(failure.status !== undefined ? { status: failure.status } : {}),
                },
              },
            );
          }
          const jittered = backoffDelay(attempt, backoffMs, MAX_BACKOFF_MS);
          o.onRetry?.(attempt, jittered, failure.reason);
          await sleep(jittered);
        }
      }
    },
  };
}

interface Failure {
  retryable: boolean;
  reason: string;
  status?: number;
}

// sigstore-js wraps an HTTP answer as InternalError{cause: HTTPError{statusCode}}, and a network
// failure as InternalError{cause: FetchError/system error}.
function describe(e: unknown): Failure {
  const cause = (e as { cause?: unknown })?.cause;
  const status = (cause as { statusCode?: unknown })?.statusCode;
  if (typeof status === 'number') {
    const message = (cause as Error).message;
    return {
      retryable: status === 408 || status === 429 || status >= 500,
      reason: `HTTP ${status}${message ? ` ${message}` : ''}`,
      status,
    };
  }
  const code = (e as { code?: unknown })?.code;
  if (code === 'TLOG_CREATE_ENTRY_ERROR' || code === 'TLOG_FETCH_ENTRY_ERROR') {
    const why = cause instanceof Error ? cause.message : String(cause ?? (e as Error).message);
    return { retryable: true, reason: why };
  }
  return { retryable: false, reason: e instanceof Error ? e.message : String(e) };
}
