/**
 * formats/: reading, writing and validating standard documents (CycloneDX, SPDX, DSSE, and the
 * VEX formats OpenVEX, CycloneDX VEX and CSAF). Pure:
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
export * from './slsa/build.js';
export { toSpdx, writeSpdxJson } from './spdx/write.js';
export type { SchemaError, ValidateOptions, ValidationResult } from './validate.js';
export { validateSbom } from './validate.js';
export { convertVex, VEX_CONVERSION_LOSSES, type VexConverted } from './vex/convert.js';
export {
  CYCLONEDX_VEX_WRITE_VERSIONS,
  type CycloneDxVexVersion,
} from './vex/cyclonedx-vex.js';
export {
  type DetectedVex,
  detectVex,
  VEX_FORMATS,
  VEX_SUPPORTED_VERSIONS,
  type VexFormat,
} from './vex/detect.js';
export { VexFormatError, type VexFormatErrorCode } from './vex/errors.js';
export {
  VEX_JUSTIFICATIONS,
  VEX_PRODUCT_IDENTIFIERS,
  VEX_RESPONSES,
  VEX_STATUSES,
  type VexDocument,
  type VexJustification,
  type VexProduct,
  type VexResponse,
  type VexRevision,
  type VexStatement,
  type VexStatus,
} from './vex/model.js';
export { readVex, type VexRead } from './vex/read.js';
export { type VexValidateOptions, type VexValidation, validateVex } from './vex/validate.js';
export {
  type PublishOptions,
  publishVex,
  type VexWriteOptions,
  type VexWritten,
  writeVex,
} from './vex/write.js';
