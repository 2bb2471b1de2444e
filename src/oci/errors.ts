import { CustodyError } from '../core/index.js';

export type OciErrorCode =
  /** An image reference that the distribution reference grammar does not accept. */
  | 'OCI_REFERENCE_INVALID'
  /** The reference names a registry outside CUSTODY_OCI_REGISTRIES: no request was sent. */
  | 'OCI_REGISTRY_FORBIDDEN'
  /** The registry refused the credentials (or gave no token) after the distribution auth flow. */
  | 'OCI_AUTH_FAILED'
  /** The manifest, blob or tag does not exist in the repository. */
  | 'OCI_MANIFEST_NOT_FOUND'
  | 'OCI_BLOB_NOT_FOUND'
  /** Bytes whose sha256 is not the digest they were asked for (or that the registry named). */
  | 'OCI_DIGEST_MISMATCH'
  /** A manifest, index, blob or token answer over its size cap. */
  | 'OCI_RESPONSE_TOO_LARGE'
  /** An answer that is not what the distribution spec says it is (garbage, wrong media type). */
  | 'OCI_RESPONSE_INVALID'
  /** A redirect to another host where none is allowed (only blob GETs may leave, without credentials). */
  | 'OCI_REDIRECT_FORBIDDEN'
  /** The registry answered with a status the operation does not expect (5xx, 400, …). */
  | 'OCI_REGISTRY_UNAVAILABLE'
  /** A manifest or index Custody is asked to read or write is malformed. */
  | 'OCI_MANIFEST_INVALID'
  /** An OCI image layout directory that is not one (no oci-layout, bad index.json, missing blob). */
  | 'OCI_LAYOUT_INVALID'
  /** A docker-style config.json (or CUSTODY_OCI_AUTH) that cannot be read. */
  | 'OCI_CREDENTIALS_INVALID';

/** details: registry, repository, digest, url, status as they apply. */
export class OciError extends CustodyError<OciErrorCode> {}

export function isOciError(e: unknown, ...codes: OciErrorCode[]): e is OciError {
  return e instanceof OciError && (codes.length === 0 || codes.includes(e.code));
}
