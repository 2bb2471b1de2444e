import type { CiEnv, ProvenancePredicateV1 } from './build-types.js';
import { optionalVariable, requireVariables, toTimestamp } from './ci-variables.js';

/**
 * GitLab Runner's build type (its PROVENANCE.md at the runner's version, or at its revision when
 * the version is not a `v…` tag, as the runner itself chooses).
 */
export const GITLAB_RUNNER_BUILD_TYPE_PREFIX =
  'https://gitlab.com/gitlab-org/gitlab-runner/-/blob/';

/** What GitLab sets in every job, and the runner's own provenance reads. */
export const GITLAB_VARIABLES = [
  'CI_SERVER_URL',
  'CI_PROJECT_PATH',
  'CI_COMMIT_SHA',
  'CI_COMMIT_REF_NAME',
  'CI_JOB_ID',
  'CI_JOB_NAME',
  'CI_RUNNER_ID',
  'CI_RUNNER_VERSION',
  'CI_RUNNER_REVISION',
] as const;

/**
 * The SLSA Provenance v1 predicate GitLab Runner writes for a job's artifacts when
 * RUNNER_GENERATE_ARTIFACTS_METADATA is set (gitlab-runner commands/helpers/artifact_metadata.go,
 * `generateSLSAv1Predicate`), from the job's predefined variables:
 *
 * - buildType `https://gitlab.com/gitlab-org/gitlab-runner/-/blob/<version>/PROVENANCE.md`;
 * - externalParameters: `entryPoint` (the job's name), `source` (the project URL), and the name of
 *   every job variable with an empty value (the runner hides values: they may be secrets). Only
 *   CI_* and GITLAB_* names are listed here: the job's own variables are indistinguishable from
 *   the rest of the process environment;
 * - internalParameters: `name` (the runner's description), `architecture`, `job`; `executor` is
 *   left out, as no variable tells it;
 * - builder.id `<project URL>/-/runners/<runner id>`, builder.version `{gitlab-runner: <version>}`;
 * - metadata: invocationId the job id, startedOn CI_JOB_STARTED_AT, finishedOn now.
 *
 * The source commit is written as the SLSA spec and the DigestSet registry ask: `gitCommit` (the
 * runner labels the commit's SHA-1 `sha256`, which no checker can verify), and the URI in SPDX
 * download-location form `git+<project URL>@<ref>`, so the branch or tag can be checked.
 *
 * @throws ProvenanceBuildError PROVENANCE_CI_VARIABLE_MISSING listing every absent or malformed
 *   variable
 */
export function gitlabProvenance(
  env: CiEnv,
  now: Date,
  o: { builderId?: string } = {},
): ProvenancePredicateV1 {
  const v = requireVariables('GitLab CI', env, GITLAB_VARIABLES, {
    CI_SERVER_URL: (s) => /^https?:\/\/[^\s]+$/.test(s),
    CI_PROJECT_PATH: (s) => /^[^\s@]+$/.test(s),
    CI_COMMIT_SHA: (s) => /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(s),
    CI_JOB_ID: (s) => /^\d+$/.test(s),
    CI_RUNNER_ID: (s) => /^\d+$/.test(s),
  });
  const project = `${v.CI_SERVER_URL.replace(/\/+$/, '')}/${v.CI_PROJECT_PATH}`;
  const version = v.CI_RUNNER_VERSION.startsWith('v') ? v.CI_RUNNER_VERSION : v.CI_RUNNER_REVISION;
  const tag = optionalVariable(env, 'CI_COMMIT_TAG');
  const ref = tag !== undefined ? `refs/tags/${tag}` : `refs/heads/${v.CI_COMMIT_REF_NAME}`;
  const name = optionalVariable(env, 'CI_RUNNER_DESCRIPTION');
  const arch = optionalVariable(env, 'CI_RUNNER_EXECUTABLE_ARCH');
  const started = optionalVariable(env, 'CI_JOB_STARTED_AT');
  const startedOn = started === undefined ? undefined : toTimestamp(started);
  const finishedOn = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    buildDefinition: {
      buildType: `${GITLAB_RUNNER_BUILD_TYPE_PREFIX}${version}/PROVENANCE.md`,
      externalParameters: {
        ...Object.fromEntries(variableNames(env).map((k) => [k, ''])),
        entryPoint: v.CI_JOB_NAME,
        source: project,
      },
      internalParameters: {
        ...(name !== undefined ? { name } : {}),
        // The runner writes GOARCH (amd64); the variable is GOOS/GOARCH (linux/amd64).
        ...(arch !== undefined ? { architecture: arch.split('/').at(-1) } : {}),
        job: v.CI_JOB_ID,
      },
      resolvedDependencies: [
        { uri: `git+${project}@${ref}`, digest: { gitCommit: v.CI_COMMIT_SHA } },
      ],
    },
    runDetails: {
      builder: {
        id: o.builderId ?? `${project}/-/runners/${v.CI_RUNNER_ID}`,
        version: { 'gitlab-runner': version },
      },
      metadata: {
        invocationId: v.CI_JOB_ID,
        ...(startedOn !== undefined ? { startedOn } : {}),
        finishedOn,
      },
    },
  };
}

// GitLab's predefined variable names (never their values), sorted for a reproducible predicate.
function variableNames(env: CiEnv): string[] {
  return Object.keys(env)
    .filter((k) => /^(?:CI|GITLAB)_[A-Z0-9_]+$/.test(k) && env[k] !== undefined)
    .sort()
    .slice(0, 512);
}
