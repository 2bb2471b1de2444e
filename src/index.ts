/**
 * Custody as a library: the same functions the CLI calls. Pure domain functions take bytes and
 * return values; the `app` functions read files and images from paths.
 */
export type { GenerateOptions, GenerateResult, OutputFormat } from './app/generate-sbom.js';
export { catalogPath, generateSbom, OUTPUT_FORMATS, serialize } from './app/generate-sbom.js';
export type { CheckOutcome, SbomFile } from './app/sbom/index.js';
export {
  alignFiles,
  checkFile,
  convertFile,
  diffFiles,
  readSbomFile,
  scoreFile,
  validateFile,
} from './app/sbom/index.js';
export type { CoreErrorCode, HashAlgorithm, PurlParts } from './core/index.js';
export {
  CoreError,
  CustodyError,
  canonicalize,
  computeDigest,
  formatPurl,
  isCustodyError,
  normalizePurl,
  parseJson,
  parsePurl,
  purlEquals,
  sha256Digest,
  validatePurl,
} from './core/index.js';
export type {
  ConvertResult,
  ConvertTarget,
  DetectedFormat,
  SbomRead,
  SchemaError,
  ValidationResult,
} from './formats/index.js';
export {
  convertSbom,
  detectSbomFormat,
  parseSbom,
  readSbom,
  toCycloneDx,
  toSpdx,
  validateSbom,
  writeCycloneDxJson,
  writeSpdxJson,
} from './formats/index.js';
// The eager list of every cataloger: the library entry loads them all, the CLI per family.
export { CATALOGERS } from './sbom/catalogers/index.js';
export type {
  AlignReport,
  Cataloger,
  CatalogResult,
  Component,
  FileTree,
  GatePolicy,
  GateResult,
  QualityReport,
  SbomDiff,
  SbomDocument,
  SbomErrorCode,
} from './sbom/index.js';
export {
  alignSbom,
  buildSbom,
  CATALOGER_FAMILIES,
  DEFAULT_GATE_POLICY,
  diffSboms,
  evaluateGate,
  findCatalogTargets,
  formatAlignText,
  formatDiffText,
  formatQualityText,
  loadCatalogers,
  normalizeLicense,
  parseGatePolicy,
  readImageFromLayout,
  readImageFromTar,
  SbomError,
  scoreSbom,
  sniffCataloger,
} from './sbom/index.js';
