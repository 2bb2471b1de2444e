import type { KeyObject } from 'node:crypto';
import { SignError } from '../errors.js';

/**
 * Who must have signed: a public key, or a certificate identity (SAN) and OIDC issuer, each exact
 * or a regular expression. Regular expressions match anywhere unless anchored, as cosign's
 * `--certificate-identity-regexp` does; anchor them (`^…$`) to match whole values.
 */
export type IdentityPolicy =
  | { key: KeyObject }
  | { identity?: string; identityRegexp?: string; issuer?: string; issuerRegexp?: string };

/**
 * README step 7: the SAN equals (or matches) the expected identity; the issuer, from OID
 * 1.3.6.1.4.1.57264.1.8 or else the legacy .1.1, equals (or matches) the expected issuer.
 * @throws SignError SIGN_IDENTITY_MISMATCH
 */
export function assertIdentity(
  policy: Exclude<IdentityPolicy, { key: KeyObject }>,
  found: { identity: string | undefined; issuer: string | undefined },
): void {
  if (policy.identity === undefined && policy.identityRegexp === undefined) {
    throw new SignError(
      'SIGN_IDENTITY_MISMATCH',
      'The policy names no certificate identity to expect.',
    );
  }
  check('identity', found.identity, policy.identity, policy.identityRegexp);
  check('issuer', found.issuer, policy.issuer, policy.issuerRegexp);
}

function check(what: string, actual: string | undefined, exact?: string, pattern?: string): void {
  if (exact === undefined && pattern === undefined) return;
  const ok =
    actual !== undefined &&
    (exact === undefined || actual === exact) &&
    (pattern === undefined || compile(what, pattern).test(actual));
  if (!ok) {
    throw new SignError(
      'SIGN_IDENTITY_MISMATCH',
      `The certificate's ${what} ${JSON.stringify(actual ?? null)} is not ${exact !== undefined ? JSON.stringify(exact) : `matched by /${pattern}/`}.`,
      { details: { [what]: actual ?? null } },
    );
  }
}

function compile(what: string, pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'u');
  } catch (e) {
    throw new SignError(
      'SIGN_IDENTITY_MISMATCH',
      `The ${what} pattern /${pattern}/ is not a regular expression.`,
      {
        cause: e,
      },
    );
  }
}
