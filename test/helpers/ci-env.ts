/** The environments CI runners give a job, for tests of `custody attest provenance`. */

/**
 * The variables a GitHub-hosted runner sets in every step (GitHub's "Variables reference",
 * default environment variables), with the values of the run that made the recorded bcr
 * attestation (aspect-build/rules_lint, run 14095611671).
 */
export function hostedRunnerEnv(over: Record<string, string> = {}): Record<string, string> {
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: '__run_2',
    GITHUB_ACTOR: 'octocat',
    GITHUB_ACTOR_ID: '1234567',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_BASE_REF: '',
    GITHUB_ENV:
      '/home/runner/work/_temp/_runner_file_commands/set_env_87406d6e-4979-4d42-98e1-3dab1f48b13a',
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    GITHUB_EVENT_PATH: '/home/runner/work/_temp/_github_workflow/event.json',
    GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
    GITHUB_HEAD_REF: '',
    GITHUB_JOB: 'release',
    GITHUB_OUTPUT:
      '/home/runner/work/_temp/_runner_file_commands/set_output_a50ef383-b063-46d9-9157-57953fc9f3f0',
    GITHUB_PATH:
      '/home/runner/work/_temp/_runner_file_commands/add_path_b037e7b5-1c88-48e2-bf78-eaaab5e02602',
    GITHUB_REF: 'refs/heads/publish-to-bcr',
    GITHUB_REF_NAME: 'publish-to-bcr',
    GITHUB_REF_PROTECTED: 'false',
    GITHUB_REF_TYPE: 'branch',
    GITHUB_REPOSITORY: 'aspect-build/rules_lint',
    GITHUB_REPOSITORY_ID: '631710741',
    GITHUB_REPOSITORY_OWNER: 'aspect-build',
    GITHUB_REPOSITORY_OWNER_ID: '60951090',
    GITHUB_RETENTION_DAYS: '90',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RUN_ID: '14095611671',
    GITHUB_RUN_NUMBER: '42',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_SHA: '8f70009fde0c94ade6ce2a054b94718c819126ec',
    GITHUB_STEP_SUMMARY:
      '/home/runner/work/_temp/_runner_file_commands/step_summary_1cb22d7f-5663-41a8-9ffc-13472605c76c',
    GITHUB_TRIGGERING_ACTOR: 'octocat',
    GITHUB_WORKFLOW: 'Release',
    GITHUB_WORKFLOW_REF:
      'aspect-build/rules_lint/.github/workflows/release.yml@refs/heads/publish-to-bcr',
    GITHUB_WORKFLOW_SHA: '8f70009fde0c94ade6ce2a054b94718c819126ec',
    GITHUB_WORKSPACE: '/home/runner/work/rules_lint/rules_lint',
    RUNNER_ARCH: 'X64',
    RUNNER_ENVIRONMENT: 'github-hosted',
    RUNNER_NAME: 'GitHub Actions 12',
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: '/home/runner/work/_temp',
    RUNNER_TOOL_CACHE: '/opt/hostedtoolcache',
    ...over,
  };
}

/**
 * The predefined variables GitLab sets in a job (GitLab's "Predefined CI/CD variables
 * reference"), for a tag pipeline on a gitlab.com shared runner 17.4.0.
 */
export function gitlabJobEnv(over: Record<string, string> = {}): Record<string, string> {
  return {
    CI: 'true',
    GITLAB_CI: 'true',
    GITLAB_USER_LOGIN: 'releaser',
    GITLAB_FEATURES: '',
    CI_API_V4_URL: 'https://gitlab.com/api/v4',
    CI_BUILDS_DIR: '/builds',
    CI_COMMIT_BEFORE_SHA: '0000000000000000000000000000000000000000',
    CI_COMMIT_BRANCH: '',
    CI_COMMIT_REF_NAME: 'v2.3.0',
    CI_COMMIT_REF_SLUG: 'v2-3-0',
    CI_COMMIT_SHA: '1ecfd275763eff1d6b4844ea3168962458c9f27a',
    CI_COMMIT_SHORT_SHA: '1ecfd275',
    CI_COMMIT_TAG: 'v2.3.0',
    CI_COMMIT_TIMESTAMP: '2026-11-30T09:12:44+01:00',
    CI_CONFIG_PATH: '.gitlab-ci.yml',
    CI_DEFAULT_BRANCH: 'main',
    CI_JOB_ID: '8541201337',
    CI_JOB_NAME: 'build-release',
    CI_JOB_STAGE: 'build',
    CI_JOB_STARTED_AT: '2026-11-30T08:14:02Z',
    CI_JOB_STATUS: 'running',
    CI_JOB_URL: 'https://gitlab.com/acme/payments/api/-/jobs/8541201337',
    CI_PIPELINE_ID: '1566402251',
    CI_PIPELINE_IID: '418',
    CI_PIPELINE_SOURCE: 'push',
    CI_PIPELINE_URL: 'https://gitlab.com/acme/payments/api/-/pipelines/1566402251',
    CI_PROJECT_DIR: '/builds/acme/payments/api',
    CI_PROJECT_ID: '51234567',
    CI_PROJECT_NAME: 'api',
    CI_PROJECT_NAMESPACE: 'acme/payments',
    CI_PROJECT_PATH: 'acme/payments/api',
    CI_PROJECT_URL: 'https://gitlab.com/acme/payments/api',
    CI_REPOSITORY_URL: 'https://gitlab-ci-token:[MASKED]@gitlab.com/acme/payments/api.git',
    CI_RUNNER_DESCRIPTION: '3-blue.saas-linux-small-amd64.runners-manager.gitlab.com/default',
    CI_RUNNER_EXECUTABLE_ARCH: 'linux/amd64',
    CI_RUNNER_ID: '12270807',
    CI_RUNNER_REVISION: 'b92ee590',
    CI_RUNNER_SHORT_TOKEN: 'xS6Vzpvo',
    CI_RUNNER_TAGS:
      '["gce", "east-c", "linux", "ruby", "mysql", "postgres", "mongo", "git-annex", "shared", "docker", "saas-linux-small-amd64"]',
    CI_RUNNER_VERSION: '17.4.0',
    CI_SERVER_HOST: 'gitlab.com',
    CI_SERVER_NAME: 'GitLab',
    CI_SERVER_URL: 'https://gitlab.com',
    CI_SERVER_VERSION: '17.5.0-pre',
    HOME: '/root',
    PATH: '/usr/local/bin:/usr/bin:/bin',
    ...over,
  };
}
