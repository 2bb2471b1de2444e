export type { PurlParts } from './purl.js';
export { formatPurl, parsePurl } from './purl.js';
