/**
 * sbom/: catalogers, the SBOM builder, quality checks and score, SBOM↔lockfile alignment and diff
 * over the format-neutral model (formats/ reads and writes documents; sbom/ never imports it).
 *
 * Importing this stays cheap: catalogers load per family (loadCatalogers), the image readers and
 * the gate policy's YAML parser on first use. CATALOGERS, the eager list of every cataloger, is in
 * catalogers/index.ts for the package entry alone.
 */
export type {
  AlignedPackage,
  AlignReport,
  DigestConflict,
  HashMismatch,
  IndexedPackage,
  PackageIdentity,
  VersionMismatch,
} from './align/index.js';
export {
  alignSbom,
  compareStrings,
  digestConflicts,
  formatAlignText,
  hashesByAlg,
  identityOf,
  indexPackages,
  normalizeHashAlg,
  versionOf,
} from './align/index.js';
export type { BuildOptions } from './builder.js';
export { buildSbom } from './builder.js';
export { findCatalogTargets, sniffCataloger } from './catalogers/find.js';
export type { CatalogerFamily } from './catalogers/registry.js';
export { CATALOGER_FAMILIES, loadCatalogers } from './catalogers/registry.js';
export type {
  DiffPackage,
  EdgeChange,
  HashChange,
  LicenseChange,
  SbomDiff,
  VersionChange,
  VersionPairing,
} from './diff/index.js';
export { compareVersionsOf, diffSboms, formatDiffText, pairVersions } from './diff/index.js';
export type { SbomErrorCode } from './errors.js';
export { SbomError } from './errors.js';
export { isImageArchive, isOciLayout, OCI_LAYOUT_FILE } from './image/detect.js';
export type {
  ContainerImage,
  ImageConfig,
  ImageLayer,
  ImageReadLimits,
  ImageReadOptions,
  Platform,
} from './image/model.js';
export { DEFAULT_IMAGE_LIMITS } from './image/model.js';
export type { LayoutReader } from './image/oci-layout.js';
export { readImageFromLayout, readImageFromTar } from './image/read-on-use.js';
export type { ImageSubject } from './image/subject.js';
export { imageSubject } from './image/subject.js';
export type { NormalizedLicense } from './license.js';
export { isDeprecatedLicenseId, isSpdxLicenseId, licenseIds, normalizeLicense } from './license.js';
export type {
  Cataloger,
  CatalogResult,
  Component,
  ComponentType,
  FileTree,
  Hash,
  SbomDocument,
  Scope,
} from './model.js';
export type {
  CategoryId,
  CategoryResult,
  CheckId,
  CheckResult,
  FailingComponent,
  GateFailure,
  GatePolicy,
  GateResult,
  QualityReport,
  ScoreOptions,
} from './quality/index.js';
export {
  allChecks,
  CATEGORY_WEIGHTS,
  CHECK_IDS,
  DEFAULT_GATE_POLICY,
  evaluateGate,
  FRESH_DAYS,
  formatGateText,
  formatQualityText,
  isExactVersion,
  parseGatePolicy,
  STALE_DAYS,
  scoreSbom,
} from './quality/index.js';
