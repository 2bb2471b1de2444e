// --- SLSA Build level assessment (branch w-evidence) ---

export type { SlsaBuilderTrust, SlsaBuildLevel } from './slsa-builders.js';
export {
  DEFAULT_SLSA_BUILDERS,
  GITHUB_ACTIONS_ISSUER,
  matchesPattern,
  parseSlsaBuilders,
  parseSlsaLevel,
} from './slsa-builders.js';
export type { SlsaErrorCode } from './slsa-errors.js';
export { SlsaError } from './slsa-errors.js';
export type {
  ArtifactAssessment,
  ProvenanceEvidence,
  RebuildEvidence,
  ReproducibleVerdict,
  SlsaAssessment,
  SlsaAssessmentInput,
  SlsaGap,
} from './slsa-level.js';
export { assessProvenance, assessSlsaLevel } from './slsa-level.js';
// --- end SLSA Build level assessment ---
