/**
 * Custody as a library: the same functions the CLI calls. Pure domain functions take bytes and
 * return values; the `app` functions read files and images from paths.
 */
export type { GenerateOptions, GenerateResult, OutputFormat } from './app/generate-sbom.js';
export { catalogPath, generateSbom, OUTPUT_FORMATS, serialize } from './app/generate-sbom.js';
export type { CheckOutcome, SbomFile } from './app/sbom-files.js';
export {
  alignFiles,
  checkFile,
  convertFile,
  diffFiles,
  readSbomFile,
  scoreFile,
  validateFile,
} from './app/sbom-files.js';
export type { CoreErrorCode, HashAlgorithm, PurlParts } from './core/index.js';
export {
  CoreError,
  CustodyError,
  canonicalize,
  computeDigest,
  formatPurl,
  isCustodyError,
  parseJson,
  parsePurl,
  sha256Digest,
} from './core/index.js';
export { normalizePurl, purlEquals, validatePurl } from './core/purl/index.js';
export type { DetectedFormat, SchemaError, ValidationResult } from './formats/index.js';
export {
  detectSbomFormat,
  parseSbom,
  toCycloneDx,
  toSpdx,
  validateSbom,
  writeCycloneDxJson,
  writeSpdxJson,
} from './formats/index.js';
export type { AlignReport } from './sbom/align/index.js';
export { alignSbom, formatAlignText } from './sbom/align/index.js';
export { buildSbom } from './sbom/builder.js';
export {
  CATALOGER_FAMILIES,
  CATALOGERS,
  findCatalogTargets,
  loadCatalogers,
  sniffCataloger,
} from './sbom/catalogers/index.js';
export type { ConvertResult, ConvertTarget } from './sbom/convert.js';
export { convertSbom } from './sbom/convert.js';
export type { SbomDiff } from './sbom/diff/index.js';
export { diffSboms, formatDiffText } from './sbom/diff/index.js';
export type { SbomErrorCode } from './sbom/errors.js';
export { SbomError } from './sbom/errors.js';
export { readImageFromLayout, readImageFromTar } from './sbom/image/index.js';
export { normalizeLicense } from './sbom/license.js';
export type {
  Cataloger,
  CatalogResult,
  Component,
  FileTree,
  SbomDocument,
} from './sbom/model.js';
export type { GatePolicy, GateResult, QualityReport } from './sbom/quality/index.js';
export {
  DEFAULT_GATE_POLICY,
  evaluateGate,
  formatQualityText,
  parseGatePolicy,
  scoreSbom,
} from './sbom/quality/index.js';
