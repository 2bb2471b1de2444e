// --- SLSA Build level assessment (branch w-evidence) ---

export type { SlsaBuilderTrust, SlsaBuildLevel } from './slsa-builders.js';
export {
  DEFAULT_SLSA_BUILDERS,
  GITHUB_ACTIONS_ISSUER,
  matchesPattern,
  parseSlsaBuilders,
  parseSlsaLevel,
} from './slsa-builders.js';
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
export type { SlsaLevelErrorCode } from './slsa-level-errors.js';
export { SlsaLevelError } from './slsa-level-errors.js';
// --- end SLSA Build level assessment ---
