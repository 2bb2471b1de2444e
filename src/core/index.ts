/**
 * core/: what every layer shares — bytes and digests, canonical JSON, the error base, purl and
 * vers. Pure. Heavy libraries (node-semver) load on first use, so importing this stays cheap.
 */
export { canonicalize } from './canonical-json.js';
export type { HashAlgorithm } from './digest.js';
export {
  base64ToHex,
  computeDigest,
  isHexDigest,
  parseIntegrity,
  sha256Digest,
  sha256Hex,
} from './digest.js';
export type { CoreErrorCode } from './errors.js';
export { CoreError, CustodyError, isCustodyError } from './errors.js';
export type { JsonLimits } from './json.js';
export { DEFAULT_JSON_LIMITS, decodeUtf8, parseJson } from './json.js';
export type {
  PurlParseOptions,
  PurlParts,
  PurlTypeDefinition,
  PurlValidation,
} from './purl/index.js';
export {
  formatPurl,
  isRegisteredType,
  normalizePurl,
  PURL_TYPE_DEFINITIONS,
  parsePurl,
  purlEquals,
  validatePurl,
} from './purl/index.js';
export { CUSTODY_NAMESPACE, uuidV4, uuidV5 } from './uuid.js';
export type {
  NativeScheme,
  ParseVersOptions,
  VersComparator,
  VersConstraint,
  VersErrorCode,
  VersionScheme,
  VersRange,
} from './vers/index.js';
export {
  assertVersRange,
  compareVersions,
  ecosystemScheme,
  formatVers,
  isSupportedScheme,
  MAX_VERS_CONSTRAINTS,
  MAX_VERS_LENGTH,
  NATIVE_SCHEMES,
  parseVers,
  VersError,
  versContains,
  versFromNative,
  versionScheme,
  versRangeProblems,
} from './vers/index.js';
