import { CustodyError } from '../../core/index.js';

/**
 * Codes of publications a person signs (keyless): prepared by the service, completed with a
 * Sigstore bundle over the document's exact bytes. Public API: never renamed or reused.
 */
export type VexPublicationErrorCode =
  /** No such publication of this product in the caller's teams. */
  | 'VEX_PUBLICATION_NOT_FOUND'
  /** Its bundle did not arrive before it expired: prepare it again. */
  | 'VEX_PUBLICATION_EXPIRED'
  /** It was completed already, with another bundle. */
  | 'VEX_PUBLICATION_COMPLETED'
  /** The document it holds is no longer what publishing would publish (statements or the
   *  format's previous publication changed since): prepare it again. */
  | 'VEX_PUBLICATION_STALE'
  /** The bundle does not verify over the document's bytes under the service's trusted root. */
  | 'VEX_BUNDLE_UNVERIFIED'
  /** The bundle verifies, but its certificate identity is not one of the team's. */
  | 'VEX_SIGNER_NOT_ADMITTED'
  /** The certificate names another person than the one completing the publication. */
  | 'VEX_SIGNER_NOT_CALLER';

export class VexPublicationError extends CustodyError<VexPublicationErrorCode> {}
