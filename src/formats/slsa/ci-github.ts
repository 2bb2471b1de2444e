import { ProvenanceBuildError } from './build-errors.js';
import type { CiEnv, ProvenancePredicateV1 } from './build-types.js';
import { requireVariables } from './ci-variables.js';

/** GitHub's build type for a top-level Actions workflow (github.com/actions/buildtypes, v1). */
export const GITHUB_WORKFLOW_BUILD_TYPE = 'https://actions.github.io/buildtypes/workflow/v1';

/**
 * The builder id @actions/attest writes from the runner's environment: this prefix, then
 * `/github-hosted` or `/self-hosted` (RUNNER_ENVIRONMENT).
 */
export const GITHUB_RUNNER_BUILDER_PREFIX = 'https://github.com/actions/runner';

/** The events the build type describes; it "MUST NOT be used for any other event type". */
export const GITHUB_WORKFLOW_EVENTS = ['create', 'release', 'push', 'workflow_dispatch'] as const;

/** What a GitHub-hosted or self-hosted runner sets in every job, and the build type reads. */
export const GITHUB_VARIABLES = [
  'GITHUB_SERVER_URL',
  'GITHUB_REPOSITORY',
  'GITHUB_REPOSITORY_ID',
  'GITHUB_REPOSITORY_OWNER_ID',
  'GITHUB_REF',
  'GITHUB_SHA',
  'GITHUB_WORKFLOW_REF',
  'GITHUB_EVENT_NAME',
  'GITHUB_RUN_ID',
  'GITHUB_RUN_ATTEMPT',
  'RUNNER_ENVIRONMENT',
] as const;

/**
 * The SLSA Provenance v1 predicate of the `workflow/v1` build type, field for field as
 * @actions/attest's `buildSLSAProvenancePredicate` writes it (externalParameters.workflow,
 * internalParameters.github, the source commit as the one resolved dependency, the run attempt
 * as invocationId), from the runner's environment instead of its OIDC token.
 *
 * The builder id is the runner's (`…/actions/runner/github-hosted` or `…/self-hosted`), as
 * @actions/attest 1.0–1.2 wrote it; since 1.3 it names the workflow that signs
 * (`server_url/job_workflow_ref`), which only the OIDC token carries: pass `builderId` for that.
 *
 * @throws ProvenanceBuildError PROVENANCE_CI_VARIABLE_MISSING listing every absent or malformed
 *   variable; PROVENANCE_CI_EVENT_UNSUPPORTED for an event the build type does not describe
 */
export function githubProvenance(
  env: CiEnv,
  o: { builderId?: string } = {},
): ProvenancePredicateV1 {
  const v = requireVariables('GitHub Actions', env, GITHUB_VARIABLES, {
    GITHUB_SERVER_URL: (s) => /^https?:\/\/[^/\s]+$/.test(s.replace(/\/+$/, '')),
    GITHUB_REPOSITORY: (s) => /^[^/\s]+\/[^/\s]+$/.test(s),
    GITHUB_REPOSITORY_ID: (s) => /^\d+$/.test(s),
    GITHUB_REPOSITORY_OWNER_ID: (s) => /^\d+$/.test(s),
    GITHUB_SHA: (s) => /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(s),
    GITHUB_RUN_ID: (s) => /^\d+$/.test(s),
    GITHUB_RUN_ATTEMPT: (s) => /^\d+$/.test(s),
    RUNNER_ENVIRONMENT: (s) => s === 'github-hosted' || s === 'self-hosted',
    // Owner and repository names are case-insensitive on GitHub.
    GITHUB_WORKFLOW_REF: (s) =>
      s.toLowerCase().startsWith(`${env['GITHUB_REPOSITORY']?.toLowerCase()}/`),
  });
  if (!(GITHUB_WORKFLOW_EVENTS as readonly string[]).includes(v.GITHUB_EVENT_NAME)) {
    throw new ProvenanceBuildError(
      'PROVENANCE_CI_EVENT_UNSUPPORTED',
      `GitHub's workflow/v1 build type describes only ${GITHUB_WORKFLOW_EVENTS.join(', ')} events, not ${v.GITHUB_EVENT_NAME}; attest from a release workflow, or describe this build with --ci generic`,
      { details: { event: v.GITHUB_EVENT_NAME } },
    );
  }
  const server = v.GITHUB_SERVER_URL.replace(/\/+$/, '');
  const repository = `${server}/${v.GITHUB_REPOSITORY}`;
  return {
    buildDefinition: {
      buildType: GITHUB_WORKFLOW_BUILD_TYPE,
      externalParameters: {
        workflow: {
          ref: v.GITHUB_REF,
          repository,
          path: workflowPath(v.GITHUB_WORKFLOW_REF, v.GITHUB_REPOSITORY, v.GITHUB_REF),
        },
      },
      internalParameters: {
        github: {
          event_name: v.GITHUB_EVENT_NAME,
          repository_id: v.GITHUB_REPOSITORY_ID,
          repository_owner_id: v.GITHUB_REPOSITORY_OWNER_ID,
          runner_environment: v.RUNNER_ENVIRONMENT,
        },
      },
      resolvedDependencies: [
        { uri: `git+${repository}@${v.GITHUB_REF}`, digest: { gitCommit: v.GITHUB_SHA } },
      ],
    },
    runDetails: {
      builder: { id: o.builderId ?? `${GITHUB_RUNNER_BUILDER_PREFIX}/${v.RUNNER_ENVIRONMENT}` },
      metadata: {
        invocationId: `${repository}/actions/runs/${v.GITHUB_RUN_ID}/attempts/${v.GITHUB_RUN_ATTEMPT}`,
      },
    },
  };
}

/**
 * The workflow file's path: `workflow_ref` without the `<owner>/<repo>/` prefix and the
 * `@<ref>` suffix. The build type warns that both the path and the ref may contain `@`, so the
 * known ref is cut off whole; a workflow_ref at another ref (a reusable workflow's caller) is cut
 * at the first `@` after the `.yml`/`.yaml` file name.
 */
function workflowPath(workflowRef: string, repository: string, ref: string): string {
  const rest = workflowRef.slice(repository.length + 1);
  if (rest.endsWith(`@${ref}`)) return rest.slice(0, -(ref.length + 1));
  const m = /^(.*?\.ya?ml)@/.exec(rest);
  return m?.[1] ?? rest.split('@')[0] ?? rest;
}
