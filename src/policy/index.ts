// --- Policy as code: CEL policies over verified evidence (branch w-policy) ---

export { type CelLimits, DEFAULT_CEL_LIMITS } from './cel/limits.js';
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
