import { CustodyError } from '../../core/index.js';

/** Codes of release evidence: attestations, rebuild checks, supplier intake. */
export type ProvenanceServiceErrorCode =
  /** The bundle does not verify (signature, chain, log entry), or is not a DSSE attestation. */
  | 'ATTESTATION_BUNDLE_UNVERIFIED'
  /** It verifies, but its signer is not one of the team's signing identities. */
  | 'ATTESTATION_SIGNER_NOT_ADMITTED'
  /** No subject of the statement is one of the release's artifacts (or the one named). */
  | 'ATTESTATION_SUBJECT_MISMATCH'
  /** The payload is not an in-toto statement, or its SLSA provenance predicate is malformed. */
  | 'ATTESTATION_STATEMENT_INVALID'
  /** A rebuild check that does not name a digest or an artifact of the release. */
  | 'REBUILD_CHECK_INVALID'
  /** Supplier intake: the provenance supports a lower SLSA level than the one required. */
  | 'SLSA_LEVEL_BELOW_REQUIRED';

export class ProvenanceServiceError extends CustodyError<ProvenanceServiceErrorCode> {}
