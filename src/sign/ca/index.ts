export {
  type CaCertificates,
  type CaSubject,
  type CertificateAuthority,
  type CreateCaOptions,
  createCaCertificates,
  emergencyMarkOf,
  type IssuedCertificate,
  LEAF_LIFETIME_SECONDS,
  type LeafRequest,
  openCertificateAuthority,
} from './authority.js';
export {
  parseSigningCertRequest,
  type SigningCertRequest,
  type SigningCertResponse,
} from './fulcio-api.js';
export {
  type CertificateIdentity,
  identityFromClaims,
  identityValue,
  type TokenIdentity,
} from './identity.js';
export {
  type ClaimExtension,
  CUSTODY_EMERGENCY_OID,
  claimExtensions,
  encodeClaimValue,
  FULCIO_OID,
  GITHUB_ACTIONS_ISSUER,
  isGithubWorkflowToken,
} from './oids.js';
export {
  parseClientPublicKey,
  publicKeyFromCsr,
  spkiDer,
  verifyProofOfPossession,
} from './possession.js';
