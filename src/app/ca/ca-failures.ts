import { CustodyError } from '../../core/index.js';

/**
 * A failed certificate request, as the CA counts it (issue [9], "Metrics"): the stage it failed in
 * and whose failure it was. `verify`: checking the ID token (issuer, signature against the
 * issuer's keys, audience, lifetime). `issue`: everything after (the identity allowed, the key's
 * proof of possession, the CA key signing, the audit record).
 * `infrastructure`: the CA could not do its work (JWKS or OIDC discovery unreachable, the CA key
 * or HSM unavailable, the store failing); `policy`: it did its work and the answer is no (token
 * invalid or expired, identity not allowed, a bad request).
 */
export interface CaFailure {
  stage: 'issue' | 'verify';
  kind: 'infrastructure' | 'policy';
  /** The error's code (or 'INTERNAL' for an error without one). */
  code: string;
}

/** Codes that are the caller's, not the CA's: the CA worked and said no. */
const POLICY_CODES = new Set([
  'SIGN_TOKEN_INVALID',
  'SIGN_CSR_INVALID',
  'SIGN_IDENTITY_INVALID',
  'SIGN_IDENTITY_MISMATCH',
  'SIGN_IDENTITY_NOT_ADMITTED',
  'SIGN_CERTIFICATE_EXPIRED',
  'INPUT_TOO_LARGE',
  'JSON_PARSE',
  'USAGE',
]);

/** Which kind of failure `e` is (see CaFailure). */
export function caFailureKind(e: unknown): CaFailure['kind'] {
  if (e instanceof CustodyError && POLICY_CODES.has(e.code)) return 'policy';
  return 'infrastructure';
}

export function caFailure(stage: CaFailure['stage'], e: unknown): CaFailure {
  return {
    stage,
    kind: caFailureKind(e),
    code: e instanceof CustodyError ? e.code : 'INTERNAL',
  };
}

/**
 * Where the CA's failures go once whoever counts them is up (the server's metrics are built
 * after the CA is opened): listeners added later hear every failure from then on.
 */
export interface CaFailureSink {
  emit(f: CaFailure): void;
  listen(f: (failure: CaFailure) => void): void;
}

export function caFailureSink(): CaFailureSink {
  const listeners: Array<(f: CaFailure) => void> = [];
  return {
    emit: (f) => {
      for (const l of listeners) l(f);
    },
    listen: (l) => {
      listeners.push(l);
    },
  };
}
