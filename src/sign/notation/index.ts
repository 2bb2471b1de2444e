/**
 * Notary Project (notation) signatures: JWS and COSE envelopes, trust stores, trust policies and
 * the verifier of one signature. Pure: trust store files, policies and time come in as values.
 */
export {
  ALGORITHMS,
  algorithmOfKey,
  type NotationAlgorithm,
} from './algorithm.js';
export { type Certificate, chainProblem, parseCertificate } from './certificate.js';
export { assembleCose, coseProtectedHeader, parseCoseEnvelope, signCose } from './cose.js';
export { isSubsetDn, type ParsedDn, parseDn } from './dn.js';
export {
  type ExtendedAttribute,
  LIMITS as NOTATION_LIMITS,
  MEDIA_TYPE_COSE,
  MEDIA_TYPE_JWS,
  type NotationEnvelope,
  PAYLOAD_CONTENT_TYPE,
  type SigningScheme,
} from './envelope.js';
export { NotationError, type NotationErrorCode } from './errors.js';
export { parseJwsEnvelope, signJws } from './jws.js';
export {
  type Descriptor as NotationDescriptor,
  NOTATION_ARTIFACT_TYPE,
  type NotationSignatureManifest,
  parseNotationSignatureManifest,
  THUMBPRINT_ANNOTATION,
  thumbprintsMatch,
} from './manifest.js';
export { buildNotationPayload, parseNotationPayload, type TargetArtifact } from './payload.js';
export { isRevocable, type RevocationChecker } from './revocation.js';
export { type NotationSignRequest, signNotation } from './sign.js';
export { type VerifiedTimestamp, verifyTimestampToken } from './timestamp.js';
export {
  LEVELS,
  type LevelName,
  parseArtifactReference,
  parseTrustPolicy,
  selectTrustPolicy,
  TRUST_STORE_TYPES,
  type TrustPolicyDocument,
  type TrustPolicyStatement,
  type TrustStoreType,
  VALIDATIONS,
  type Validation,
  type ValidationAction,
  type VerificationLevel,
  verificationLevel,
} from './trust-policy.js';
export {
  buildTrustStores,
  certificatesOf,
  parseTrustStoreFile,
  type TrustStoreFile,
  type TrustStores,
} from './trust-store.js';
export {
  type NotationSignatureInput,
  type NotationTrust,
  type NotationVerification,
  parseEnvelope,
  trustedIdentityFailure,
  type ValidationResult,
  verifyNotationSignature,
} from './verify.js';
