/**
 * sbom/: the format-neutral SBOM model, its errors and licences, the catalogers, the builder and
 * container images (formats/ reads and writes documents; sbom/ never imports it).
 *
 * The analyses over documents have their own surfaces, so that generating an SBOM does not load
 * them: quality/index.ts (checks, score, gate), align/index.ts (SBOM against lockfiles),
 * diff/index.ts (two SBOMs). Importing this stays cheap: catalogers load per family
 * (loadCatalogers), the image readers on the first image. CATALOGERS, the eager list of every
 * cataloger, is in catalogers/index.ts for the package entry alone.
 */
export type { BuildOptions } from './builder.js';
export { buildSbom } from './builder.js';
export { findCatalogTargets, sniffCataloger } from './catalogers/find.js';
export type { CatalogerFamily } from './catalogers/registry.js';
export { CATALOGER_FAMILIES, loadCatalogers } from './catalogers/registry.js';
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
