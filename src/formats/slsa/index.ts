/**
 * formats/slsa: in-toto statements (v0.1, v1) in DSSE envelopes, SLSA provenance (v0.1, v0.2, v1)
 * and verification summaries (VSA v1), read into typed values and one normalized provenance view.
 * Pure parsing and validation; signatures and trust are checked by sign/ and policy/provenance.
 */
export {
  jsonLines,
  parseDsseEnvelope,
  parseSlsaProvenance,
  parseStatement,
  parseVerificationSummary,
  provenanceView,
  splitSourceRef,
  statementOfEnvelope,
} from './read.js';
export {
  DEFAULT_SLSA_LIMITS,
  type DigestSet,
  type DsseEnvelope,
  type DsseSignature,
  IN_TOTO_PAYLOAD_TYPE,
  type InTotoStatement,
  type ProvenanceSource,
  type ProvenanceV1,
  type ProvenanceV01,
  type ProvenanceV02,
  type ProvenanceView,
  type ResourceDescriptor,
  SLSA_PROVENANCE_V1,
  SLSA_PROVENANCE_V1_DRAFT,
  SLSA_PROVENANCE_V01,
  SLSA_PROVENANCE_V02,
  SLSA_VSA_V1,
  SlsaError,
  type SlsaErrorCode,
  type SlsaLimits,
  type SlsaPredicate,
  STATEMENT_V1_TYPE,
  STATEMENT_V01_TYPE,
  type StatementSubject,
  type VerificationSummaryV1,
} from './types.js';
