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
export type { PurlParts } from './purl/index.js';
export { formatPurl, parsePurl } from './purl/index.js';
export { CUSTODY_NAMESPACE, uuidV4, uuidV5 } from './uuid.js';
