import type { Witness } from '@sigstore/sign';
import { SignError } from '../../sign/index.js';

/** A signature whose log entry is still to be made (filled in by `deferringWitness`). */
export interface DeferredEntry {
  /** The PEM public key the log entry will name. */
  publicKey: string;
  /** The log's failure. */
  reason: string;
  /** 'messageSignature' or 'dsseEnvelope'. */
  content: string;
}

/** Collects what `--log-later` could not log, in signing order. */
export interface LogLaterSink {
  deferred: DeferredEntry[];
}

/**
 * A log witness that, when the log is down (no answer, time-out, 5xx or 429 after the retries),
 * lets the signature through without an entry and says so in `sink`; a log that answered and
 * refused the entry (4xx) stays an error, as does a signature under a certificate: a keyless
 * certificate lives ten minutes, and the log's time is what proves it was valid when used, so
 * logging it later would make a signature nobody can verify.
 * @throws SignError SIGN_SERVICE_FAILED (refused, or a certificate's signature)
 */
export function deferringWitness(inner: Witness, sink: LogLaterSink): Witness {
  return {
    async testify(content, publicKey) {
      try {
        return await inner.testify(content, publicKey);
      } catch (e) {
        if (!isLogOutage(e)) throw e;
        const pem = Buffer.from(publicKey).toString('utf8');
        if (pem.includes('BEGIN CERTIFICATE'))
          throw new SignError(
            'SIGN_SERVICE_FAILED',
            `${(e as Error).message}; --log-later cannot help here: the signing certificate expires in minutes, so its signature must be logged now (sign with --key or --fallback-key to log later)`,
            { cause: e, details: { ...(e as SignError).details } },
          );
        sink.deferred.push({
          publicKey: pem,
          reason: (e as Error).message,
          content: content.$case,
        });
        return { tlogEntries: [] };
      }
    },
  };
}

/**
 * The log could not be reached (an infrastructure failure, worth logging later), as opposed to a
 * log that answered and refused: custodyLogWitness's SIGN_SERVICE_FAILED for the transparency log
 * with no status, or a 5xx, 408 or 429.
 */
export function isLogOutage(e: unknown): boolean {
  if (!(e instanceof SignError) || e.code !== 'SIGN_SERVICE_FAILED') return false;
  if (e.details?.['service'] !== 'transparency log') return false;
  const status = e.details?.['status'];
  return typeof status !== 'number' || status >= 500 || status === 408 || status === 429;
}

/**
 * Dual-log preference: the preferred (public, Rekor-compatible) log first; when it is down, the
 * private Custody log stands in and the signature is recorded in `publicPending`, so that
 * `custody log upload --public` submits it to the public log later. A public log that answered
 * and refused stays an error: standing in is for outages, not for refusals.
 */
export function preferringWitness(
  preferred: Witness,
  standIn: Witness,
  publicPending: LogLaterSink,
): Witness {
  return {
    async testify(content, publicKey) {
      try {
        return await preferred.testify(content, publicKey);
      } catch (e) {
        if (!isLogOutage(e)) throw e;
        const vm = await standIn.testify(content, publicKey);
        if ((vm.tlogEntries ?? []).length > 0)
          publicPending.deferred.push({
            publicKey: Buffer.from(publicKey).toString('utf8'),
            reason: (e as Error).message,
            content: content.$case,
          });
        return vm;
      }
    },
  };
}
