import { SignError } from '../sign/index.js';
import { CK, ckrName, ckrOf } from './module.js';

/**
 * Retries of HSM calls (Brief 3: "hardware security modules … throttle or time out during batch
 * signing"). PKCS#11 has no "busy" return value; modules under load answer with the codes below.
 */

/** What to do before the next attempt; the signer acts on it (new session, log in, find the key). */
export type Recovery = 'none' | 'new-session' | 'login' | 'find-key' | 'find-token';

/**
 * Return values worth another attempt, and what makes the next attempt differ from the last.
 * Anything else (a wrong PIN, a mechanism the key does not allow) fails at once: retrying a wrong
 * PIN could lock the token.
 */
const TRANSIENT = new Map<number, Recovery>([
  // Network HSMs and overloaded tokens: the call itself failed, the session may be gone too.
  [CK.CKR_FUNCTION_FAILED, 'new-session'],
  [CK.CKR_DEVICE_ERROR, 'new-session'],
  [CK.CKR_DEVICE_MEMORY, 'new-session'],
  [CK.CKR_FUNCTION_CANCELED, 'new-session'],
  // A session closed under us (HSM restart, idle time-out) or left with an operation running.
  [CK.CKR_SESSION_CLOSED, 'new-session'],
  [CK.CKR_SESSION_HANDLE_INVALID, 'new-session'],
  [CK.CKR_OPERATION_ACTIVE, 'new-session'],
  // Too many sessions at once, from us or other clients of a shared HSM.
  [CK.CKR_SESSION_COUNT, 'new-session'],
  // The HSM dropped the login (idle time-out) or forgot our object handles (restart).
  [CK.CKR_USER_NOT_LOGGED_IN, 'login'],
  [CK.CKR_KEY_HANDLE_INVALID, 'find-key'],
  [CK.CKR_OBJECT_HANDLE_INVALID, 'find-key'],
  // A network HSM reconnecting, a token re-inserted: its slot may have a new id.
  [CK.CKR_DEVICE_REMOVED, 'find-token'],
  [CK.CKR_TOKEN_NOT_PRESENT, 'find-token'],
]);

export interface RetryOptions {
  /** Attempts after the first. Default 5. */
  retries?: number;
  /** First delay; doubled each attempt with full jitter, capped at `maxDelayMs`. Default 100 ms. */
  baseDelayMs?: number;
  /** Default 5 s. */
  maxDelayMs?: number;
  /** Vendor codes (≥ CKR_VENDOR_DEFINED) that mean "busy, try again" on a particular HSM. */
  transientCodes?: readonly number[];
  /** For tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** A call that did not return within the time-out: its session is abandoned, the call retried. */
export class Pkcs11TimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`the PKCS#11 module did not answer within ${ms} ms`);
    this.name = 'Pkcs11TimeoutError';
  }
}

/** The recovery for a transient error, or undefined when the error is final. */
export function transientRecovery(e: unknown, extra: readonly number[] = []): Recovery | undefined {
  if (e instanceof Pkcs11TimeoutError) return 'new-session';
  const code = ckrOf(e);
  if (code === undefined) return undefined;
  return TRANSIENT.get(code) ?? (extra.includes(code) ? 'new-session' : undefined);
}

/**
 * Runs `attempt` until it succeeds, fails finally, or runs out of retries; `recover` runs before
 * each retry. Exhausted retries become SIGN_SERVICE_FAILED, naming the module's last answer.
 */
export async function withRetry<T>(
  what: string,
  attempt: () => Promise<T>,
  recover: (r: Recovery, e: unknown) => Promise<void> | void,
  o: RetryOptions = {},
): Promise<T> {
  const retries = o.retries ?? 5;
  const base = o.baseDelayMs ?? 100;
  const max = o.maxDelayMs ?? 5_000;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = o.random ?? Math.random;
  const seen: string[] = [];
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      const recovery = transientRecovery(e, o.transientCodes);
      if (recovery === undefined) throw e;
      seen.push(e instanceof Pkcs11TimeoutError ? 'time-out' : ckrName(e));
      if (n >= retries)
        throw new SignError(
          'SIGN_SERVICE_FAILED',
          `The HSM failed to ${what} ${n + 1} times (last: ${seen.at(-1)}); it may be overloaded or unreachable.`,
          { cause: e, details: { service: 'pkcs11', attempts: n + 1, errors: seen } },
        );
      // Full jitter: many signers backing off from one HSM should not retry in step.
      await sleep(Math.floor(random() * Math.min(max, base * 2 ** n)));
      await recover(recovery, e);
    }
  }
}

/** Rejects with Pkcs11TimeoutError after `ms`; `onLate` sees the call's outcome if it comes later. */
export function withTimeout<T>(
  call: Promise<T>,
  ms: number,
  onLate: (settled: Promise<unknown>) => void,
): Promise<T> {
  if (!Number.isFinite(ms)) return call;
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      onLate(call);
      reject(new Pkcs11TimeoutError(ms));
    }, ms);
    call.then(
      (v) => {
        if (done) return;
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        if (done) return;
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
