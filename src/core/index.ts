/**
 * core/: what every layer shares — bytes and digests, canonical JSON, the error base, purl. Pure.
 * Version ordering and ranges have their own surface, core/vers/index.ts: two dozen comparators
 * that only the code ordering versions should load at start-up.
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
