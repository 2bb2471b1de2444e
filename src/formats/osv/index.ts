/** formats/osv: OSV records (ossf/osv-schema) read into a typed model, checked against the schema. */
export type { OsvErrorCode } from './errors.js';
export { OsvError } from './errors.js';
export type { OsvLimits } from './limits.js';
export { DEFAULT_OSV_LIMITS } from './limits.js';
export type {
  OsvAffected,
  OsvCredit,
  OsvCreditType,
  OsvEvent,
  OsvEventKind,
  OsvPackage,
  OsvProblem,
  OsvRange,
  OsvRangeType,
  OsvRecord,
  OsvReference,
  OsvReferenceType,
  OsvSeverity,
  OsvSeverityType,
} from './model.js';
export { osvRecordFromJson, parseOsvRecord } from './parse.js';
export type { OsvEcosystemName } from './schema-rules.js';
export { isOsvEcosystem, OSV_ECOSYSTEMS } from './schema-rules.js';
