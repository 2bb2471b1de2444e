/**
 * Building SLSA Provenance v1 (what `custody attest provenance` signs): the public surface of the
 * build-* and ci-* files. The lead folds it into slsa/index.ts; until then formats/index.ts
 * re-exports this file.
 */

export {
  lockfileDependencies,
  pinnedCount,
  SBOM_DEPENDENCY_NAME,
  sbomDependency,
} from './build-dependencies.js';
export { ProvenanceBuildError, type ProvenanceBuildErrorCode } from './build-errors.js';
export {
  type BuildProvenanceInput,
  type BuiltProvenance,
  buildProvenance,
  CI_MODES,
  type CiMode,
  type ResolvedCi,
  resolveCi,
} from './build-provenance.js';
export type {
  CiEnv,
  ProvenanceMetadataV1,
  ProvenancePredicateV1,
  ResourceDescriptorV1,
} from './build-types.js';
export {
  assertProvenanceStatement,
  IN_TOTO_STATEMENT_V1,
  isTimestamp,
  provenancePredicateProblems,
  resourceDescriptorProblems,
  SLSA_PROVENANCE_V1,
  statementProblems,
} from './build-validate.js';
export {
  CUSTODY_GENERIC_BUILD_TYPE,
  type GenericBuildFlags,
  genericProvenance,
  parseExternalParameters,
  parseSourceDigest,
} from './ci-generic.js';
export {
  GITHUB_RUNNER_BUILDER_PREFIX,
  GITHUB_VARIABLES,
  GITHUB_WORKFLOW_BUILD_TYPE,
  GITHUB_WORKFLOW_EVENTS,
  githubProvenance,
} from './ci-github.js';
export {
  GITLAB_RUNNER_BUILD_TYPE_PREFIX,
  GITLAB_VARIABLES,
  gitlabProvenance,
} from './ci-gitlab.js';
export { toTimestamp } from './ci-variables.js';
