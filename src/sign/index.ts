/**
 * The signing domain's public surface: code outside src/sign/ imports it from here.
 *
 * The bundle builder (@sigstore/sign), the CMS signer (pkijs), the verifier (@sigstore/core) and
 * the certificate authority (@peculiar/x509) each take 50–110 ms to load, and most commands need
 * at most one of them: they are reached through `load…()` so that importing this file stays cheap.
 * Their types are exported here directly.
 */

export type { BundleOptions, BundleSigner } from './bundle-builder.js';
export type {
  CaCertificates,
  CaSubject,
  CertificateAuthority,
  CertificateIdentity,
  ClaimExtension,
  CreateCaOptions,
  IssuedCertificate,
  LeafRequest,
  SigningCertRequest,
  SigningCertResponse,
  TokenIdentity,
} from './ca/index.js';
export type { CmsSignature, CmsSigner, CmsVerified } from './cms.js';
export {
  type EmergencyMark,
  emergencyAdmission,
  parseEmergencyIdentity,
  parseEmergencyMark,
} from './emergency.js';
export { isSignError, SignError, type SignErrorCode } from './errors.js';
export {
  type GeneratedKey,
  generateKey,
  KEY_TYPES,
  type KeyType,
  keyHint,
  keyTypeOf,
  loadSigningKey,
  loadVerificationKey,
  parseKeyType,
  publicKeyDetails,
  type SigningKey,
  type SigningKeyType,
  type VerificationKey,
} from './keys.js';
export {
  assertSubjectAllowed,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  type Jwks,
  jwkFromKey,
  parseJwks,
  peekIssuer,
  signJwt,
  type TokenRefusal,
  type VerifiedIdToken,
  type VerifyIdTokenOptions,
  verifyIdToken,
} from './oidc/index.js';
export {
  formatPkcs11Uri,
  type Pkcs11ObjectType,
  type Pkcs11Uri,
  parsePkcs11Uri,
  redactPkcs11Uri,
} from './pkcs11-uri.js';
export {
  admittedIdentity,
  admittedKey,
  parseSigningIdentities,
  type SigningIdentity,
} from './signing-identities.js';
export {
  assertAttestation,
  buildStatement,
  IN_TOTO_PAYLOAD_TYPE,
  PREDICATE_TYPE_ALIASES,
  type PredicateTypeAlias,
  parsePredicate,
  parseStatement,
  resolvePredicateType,
  STATEMENT_V1_TYPE,
  type Statement,
  type Subject,
  statementToBytes,
  subjectFromBytes,
  subjectFromDigest,
} from './statement.js';
export {
  addCertificateAuthority,
  addTransparencyLog,
  type CertificateAuthorityInput,
  type CertificateAuthorityJson,
  certificateAuthorityJson,
  emptyTrustedRoot,
  listTrust,
  parseTrustedRootJson,
  removeTrust,
  retireTrust,
  TRUSTED_ROOT_MEDIA_TYPE,
  type TransparencyLogJson,
  type TrustEntry,
  type TrustedRootJson,
  type ValidForJson,
} from './trust/index.js';
export { parseTrustedRoot, type TrustedRoot } from './trusted-root.js';
export type {
  ArtifactInput,
  IdentityPolicy,
  ParsedBundle,
  TrustMaterialInput,
  VerifiedBundle,
  VerifyOptions,
} from './verify/index.js';

/** Builds Sigstore bundles: message signatures, DSSE envelopes, attestations. */
export const loadBundleBuilder = () => import('./bundle-builder.js');
/** Detached CMS signatures, as gitsign makes them for commits. */
export const loadCms = () => import('./cms.js');
/** The Sigstore bundle verifier (`verifyBundle`). */
export const loadVerifier = () => import('./verify/index.js');
/** Custody's certificate authority: issuing, Fulcio's API shapes, claims and extensions. */
export const loadCertificateAuthority = () => import('./ca/index.js');

// Notary Project (notation) signatures. The module loads @peculiar/x509, pkijs and cbor2, hence
// `loadNotation()`; its error class and types are cheap and exported here.
export { NotationError, type NotationErrorCode } from './notation/errors.js';
export type {
  NotationSignatureInput,
  NotationSignatureManifest,
  NotationSignRequest,
  NotationTrust,
  NotationVerification,
  RevocationChecker,
  TargetArtifact,
  TrustPolicyDocument,
  TrustStoreFile,
  TrustStores,
  TrustStoreType,
  ValidationResult as NotationValidationResult,
} from './notation/index.js';
/** Notary Project signatures: envelopes, trust policies and stores, `verifyNotationSignature`, `signNotation`. */
export const loadNotation = () => import('./notation/index.js');
