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
export type { AlignReport } from './sbom/align/index.js';
export { alignSbom, formatAlignText } from './sbom/align/index.js';
// The eager list of every cataloger: the library entry loads them all, the CLI per family.
export { CATALOGERS } from './sbom/catalogers/index.js';
export type { SbomDiff } from './sbom/diff/index.js';
export { diffSboms, formatDiffText } from './sbom/diff/index.js';
export type {
  Cataloger,
  CatalogResult,
  Component,
  FileTree,
  SbomDocument,
  SbomErrorCode,
} from './sbom/index.js';
export {
  buildSbom,
  CATALOGER_FAMILIES,
  findCatalogTargets,
  loadCatalogers,
  normalizeLicense,
  readImageFromLayout,
  readImageFromTar,
  SbomError,
  sniffCataloger,
} from './sbom/index.js';
export type { GatePolicy, GateResult, QualityReport } from './sbom/quality/index.js';
export {
  DEFAULT_GATE_POLICY,
  evaluateGate,
  formatQualityText,
  parseGatePolicy,
  scoreSbom,
} from './sbom/quality/index.js';
