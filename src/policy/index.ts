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
// --- Policy as code: CEL policies over verified evidence (branch w-policy) ---

export { type CelLimits, DEFAULT_CEL_LIMITS } from './cel/limits.js';
export { assertSafeRegex } from './cel/regex-guard.js';
export type { PolicyErrorCode } from './errors.js';
export { PolicyError } from './errors.js';
export {
  type CompiledPolicy,
  compilePolicy,
  type EvaluateOptions,
  evaluatePolicy,
  type PolicyDecision,
  type RuleOutcome,
  type RuleResult,
  toCel,
} from './evaluate.js';
export type {
  ArtifactFacts,
  CommitFacts,
  Evidence,
  ProvenanceFact,
  SbomFacts,
  SeverityCounts,
  SignatureFact,
  SlsaFacts,
  VexFacts,
  VulnerabilityFacts,
} from './evidence.js';
export { EVIDENCE_SCHEMA, emptyEvidence } from './evidence.js';
export { EVIDENCE_SHAPE, parseEvidence } from './evidence-shape.js';
export { BUILTIN_PACK_NAME, BUILTIN_PACK_SOURCE } from './pack/builtin.js';
export {
  POLICY_NAME,
  type PolicyDocument,
  type PolicyRule,
  parsePolicy,
} from './policy-document.js';
// --- end Policy as code ---

// Admission matches signer identities with it (w-engine).
export { compileLinearRegex, type LinearRegex } from './cel/linear-regex.js';
