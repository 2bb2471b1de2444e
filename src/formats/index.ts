/**
 * formats/: reading, writing and validating standard documents (CycloneDX, SPDX, DSSE). Pure:
 * bytes in, values or CustodyErrors out. The one way to turn bytes into an SBOM is readSbom.
 */
export type { ConvertResult, ConvertTarget } from './convert.js';
export { CONVERT_TARGETS, convertSbom } from './convert.js';
export type { CycloneDxCapabilities, CycloneDxWriteVersion } from './cyclonedx/spec.js';
export { CYCLONEDX_SPEC } from './cyclonedx/spec.js';
export { toCycloneDx, writeCycloneDxJson } from './cyclonedx/write.js';
export type { DetectedFormat, SbomEncoding, SbomFormat } from './detect.js';
export { detectSbomFormat, SUPPORTED_VERSIONS } from './detect.js';
export { preAuthEncoding } from './dsse.js';
export type {
  OsvAffected,
  OsvCredit,
  OsvEcosystemName,
  OsvErrorCode,
  OsvEvent,
  OsvEventKind,
  OsvLimits,
  OsvPackage,
  OsvProblem,
  OsvRange,
  OsvRangeType,
  OsvRecord,
  OsvReference,
  OsvSeverity,
  OsvSeverityType,
} from './osv/index.js';
export {
  DEFAULT_OSV_LIMITS,
  isOsvEcosystem,
  OSV_ECOSYSTEMS,
  OsvError,
  osvRecordFromJson,
  parseOsvRecord,
} from './osv/index.js';
export type { SbomRead } from './read-sbom.js';
export { parseSbom, readSbom } from './read-sbom.js';
export { toSpdx, writeSpdxJson } from './spdx/write.js';
export type { SchemaError, ValidateOptions, ValidationResult } from './validate.js';
export { validateSbom } from './validate.js';
export {
  VEX_JUSTIFICATIONS,
  VEX_RESPONSES,
  VEX_STATUSES,
  type VexDocument,
  type VexJustification,
  type VexProduct,
  type VexResponse,
  type VexStatement,
  type VexStatus,
} from './vex/model.js';
