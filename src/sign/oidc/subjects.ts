import { SignError } from '../errors.js';

/**
 * Subject patterns from configuration: each is a regular expression matched against the whole
 * identity a certificate would name (email or URI), as `--certificate-identity-regexp` is. No
 * patterns: every identity of the issuer is accepted.
 * @throws SignError SIGN_TOKEN_INVALID (details.reason `subject-refused`)
 */
export function assertSubjectAllowed(
  identity: string,
  patterns: readonly string[] | undefined,
): void {
  if (patterns === undefined || patterns.length === 0) return;
  if (patterns.some((p) => new RegExp(`^(?:${p})$`).test(identity))) return;
  throw new SignError(
    'SIGN_TOKEN_INVALID',
    `The identity ${identity} is not among the subjects this CA certifies for its issuer.`,
    { details: { reason: 'subject-refused', identity } },
  );
}
