export { formatPurl } from './format.js';
export type { PurlValidation } from './normalize.js';
export { normalizePurl, purlEquals, validatePurl } from './normalize.js';
export type { PurlParseOptions } from './parse.js';
export { parsePurl } from './parse.js';
export type { PurlParts } from './parts.js';
export type { PurlTypeDefinition } from './type-definition.js';
export { isRegisteredType } from './type-rules.js';
export { PURL_TYPE_DEFINITIONS } from './types.generated.js';
