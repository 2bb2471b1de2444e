import { CustodyError } from '../core/index.js';

/**
 * Error codes of signing and verification. Public API: never renamed or reused. Add a code with a
 * one-line comment saying what the user did and what to do.
 */
export type SignErrorCode =
  /** A key file is unreadable, of an unsupported type, or its passphrase is wrong or missing. */
  | 'SIGN_KEY_INVALID'
  /** A bundle is not valid JSON or not a Sigstore bundle of a known version. */
  | 'SIGN_BUNDLE_MALFORMED'
  /** The signature does not verify over the artifact (or digest, or DSSE payload). */
  | 'SIGN_SIGNATURE_INVALID'
  /** The signing certificate does not chain to a trusted certificate authority. */
  | 'SIGN_CHAIN_INVALID'
  /**
   * A bundle's certificate chain carries a root or intermediate the trusted root does not hold:
   * certificates in a bundle are never trust anchors (details.reason says which, details.index where).
   */
  | 'SIGN_BUNDLE_CHAIN_INVALID'
  /** The certificate was not valid (expired, not yet valid) at the trusted time. */
  | 'SIGN_CERTIFICATE_EXPIRED'
  /** The certificate's identity (SAN) or issuer does not match the policy given. */
  | 'SIGN_IDENTITY_MISMATCH'
  /** The transparency log entry, SET, checkpoint or inclusion proof does not verify. */
  | 'SIGN_TLOG_INVALID'
  /** No trusted timestamp (log integrated time, RFC 3161) covers the signature. */
  | 'SIGN_TIMESTAMP_INVALID'
  /** An SCT is missing or does not verify against the trusted CT logs. */
  | 'SIGN_SCT_INVALID'
  /** The artifact (or its digest, or the in-toto subject) is not the one the bundle signs. */
  | 'SIGN_ARTIFACT_MISMATCH'
  /** The transparency log entry's body names another signature, key or digest than the bundle. */
  | 'SIGN_TLOG_ENTRY_MISMATCH'
  /** A file named for verification (bundle, artifact, key, trusted root) cannot be read. */
  | 'SIGN_INPUT_UNREADABLE'
  /** A trusted root file is malformed. */
  | 'SIGN_TRUSTED_ROOT_INVALID'
  /** An attestation's predicate type or subject digest is not what was asked for. */
  | 'SIGN_ATTESTATION_MISMATCH'
  /** An OIDC ID token is malformed, expired, for another audience, from an unknown issuer, or badly signed. */
  | 'SIGN_TOKEN_INVALID'
  /** A certificate request is malformed or its proof of possession does not verify. */
  | 'SIGN_CSR_INVALID'
  /** A service the signer needs (CA, log, OIDC issuer) failed; details.service names it. */
  | 'SIGN_SERVICE_FAILED'
  /** A team's signing-identity list is malformed (an entry is not {issuer, subject} or {publicKey}). */
  | 'SIGN_IDENTITY_LIST_INVALID'
  /** An attestation's predicate is not a JSON object, its type is not a known alias or a URI, or a subject is malformed. */
  | 'SIGN_STATEMENT_INVALID';

export class SignError extends CustodyError<SignErrorCode> {}

/** A signing or verification failure (as opposed to an I/O or usage error). */
export function isSignError(e: unknown): e is SignError {
  return e instanceof SignError;
}
