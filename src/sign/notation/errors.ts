import { CustodyError } from '../../core/index.js';

/**
 * Error codes of Notary Project (notation) signatures: input that cannot be read as what it claims
 * to be. A signature that reads but does not verify is not an error: it is a validation result.
 * Public API: never renamed or reused.
 */
export type NotationErrorCode =
  /** The envelope is not a JWS JSON (flattened) or COSE_Sign1_Tagged envelope of the Notary Project. */
  | 'SIGN_NOTATION_ENVELOPE_MALFORMED'
  /** The envelope (or a trust policy) is over its size limit. */
  | 'SIGN_NOTATION_ENVELOPE_TOO_LARGE'
  /** The envelope's media type is neither application/jose+json nor application/cose. */
  | 'SIGN_NOTATION_MEDIA_TYPE_UNSUPPORTED'
  /** The signing key or `alg` is not one the specification lists (RSASSA-PSS 2048/3072/4096, ECDSA P-256/384/521). */
  | 'SIGN_NOTATION_ALGORITHM_UNSUPPORTED'
  /** The signed payload is not an application/vnd.cncf.notary.payload.v1+json document. */
  | 'SIGN_NOTATION_PAYLOAD_INVALID'
  /** The trust policy document breaks the trust policy specification (details.reason says how). */
  | 'SIGN_NOTATION_POLICY_INVALID'
  /** No trust policy statement's registryScopes covers the artifact: add one (or a `*` statement). */
  | 'SIGN_NOTATION_POLICY_NOT_FOUND'
  /** The artifact reference is not `registry/repository@<algorithm>:<digest>`. */
  | 'SIGN_NOTATION_REFERENCE_INVALID'
  /** A trust store file is not a certificate, or holds one the store type does not allow. */
  | 'SIGN_NOTATION_TRUST_STORE_INVALID'
  /** A certificate given to the signer breaks the specification's certificate requirements. */
  | 'SIGN_NOTATION_CERTIFICATE_INVALID'
  /** The signing key does not match the signing certificate, or is not a private key. */
  | 'SIGN_NOTATION_KEY_INVALID';

export class NotationError extends CustodyError<NotationErrorCode> {}
