export type { AlignedPackage, AlignReport, HashMismatch, VersionMismatch } from './align.js';
export { alignSbom } from './align.js';
export { formatAlignText } from './format.js';
export type { DigestConflict } from './hashes.js';
export { digestConflicts, hashesByAlg, normalizeHashAlg } from './hashes.js';
export type { PackageIdentity } from './identity.js';
export { identityOf, versionOf } from './identity.js';
export type { IndexedPackage } from './package-index.js';
export { compareStrings, indexPackages } from './package-index.js';
