/** The service's policy use cases: evidence per artifact, stored team policies, evaluation. */
export type { PolicyServiceErrorCode } from './errors.js';
export { PolicyServiceError } from './errors.js';
export {
  builtinPolicySource,
  type Evaluation,
  type EvaluationRequest,
  evaluateForArtifact,
  evaluateSource,
  type PolicyRef,
} from './evaluate-policy.js';
export { ARTIFACT_DIGEST, gatherEvidence } from './gather-evidence.js';
export { artifactDigestOfFile, readEvidenceFile, readPolicyFile } from './local-files.js';
export {
  getTeamPolicy,
  listTeamPolicies,
  putTeamPolicy,
  type StoredPolicyView,
} from './stored-policies.js';
