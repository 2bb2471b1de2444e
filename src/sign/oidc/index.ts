export {
  JWS_ALGORITHMS,
  type Jwks,
  type JwsAlgorithm,
  jwkFromKey,
  jwsAlgorithmFor,
  keyFromJwk,
  parseJwks,
  selectJwk,
} from './jwks.js';
export { base64url, MAX_TOKEN_BYTES, type ParsedJwt, parseJwt } from './jwt.js';
export { signJwt } from './sign.js';
export { assertSubjectAllowed } from './subjects.js';
export {
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  peekIssuer,
  type TokenRefusal,
  type VerifiedIdToken,
  type VerifyIdTokenOptions,
  verifyIdToken,
} from './verify.js';
