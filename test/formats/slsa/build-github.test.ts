import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  GITHUB_VARIABLES,
  githubProvenance,
  ProvenanceBuildError,
  provenancePredicateProblems,
} from '../../../src/formats/index.js';
import { readConformance } from '../../helpers/conformance.js';
import { expectCustodyError } from '../../helpers/expect-error.js';

/**
 * GitHub Actions provenance against predicates GitHub's own attestation action recorded
 * (slsa-verifier's test data): the same fields, the same values from the same run's variables.
 */

function recorded(file: string): Record<string, unknown> {
  const text = new TextDecoder().decode(
    readConformance('slsa', 'vectors', 'decoded-statements', file),
  );
  return JSON.parse(text).statement.predicate;
}

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

/** Every key path of a JSON value ("a.b", "a.c[]"), the shape two predicates are compared on. */
export function shape(v: unknown, at = ''): string[] {
  if (Array.isArray(v)) return [`${at}[]`, ...v.flatMap((x) => shape(x, `${at}[]`))];
  if (typeof v !== 'object' || v === null) return [];
  return Object.entries(v).flatMap(([k, x]) => [`${at}.${k}`, ...shape(x, `${at}.${k}`)]);
}
const shapeSet = (v: unknown) => [...new Set(shape(v))].sort();

describe('githubProvenance (workflow/v1 from the runner’s variables)', () => {
  const bcr = recorded('slsa-v1_statement-v1_github-attest_bcr-module.json');

  it('writes the recorded attestation of the same run, field for field', () => {
    // That attestation was signed by a reusable workflow, which only the OIDC token names.
    const builder = (bcr['runDetails'] as { builder: { id: string } }).builder.id;
    const p = githubProvenance(hostedRunnerEnv(), { builderId: builder });
    assert.deepEqual(p, bcr);
    assert.equal(JSON.stringify(p), JSON.stringify(bcr), 'and in the same key order');
  });

  it('names the hosted runner as the builder by default, and a self-hosted one as such', () => {
    const p = githubProvenance(hostedRunnerEnv());
    assert.equal(p.runDetails.builder.id, 'https://github.com/actions/runner/github-hosted');
    const s = githubProvenance(hostedRunnerEnv({ RUNNER_ENVIRONMENT: 'self-hosted' }));
    assert.equal(s.runDetails.builder.id, 'https://github.com/actions/runner/self-hosted');
    assert.deepEqual(
      (s.buildDefinition.internalParameters?.['github'] as Record<string, string>)[
        'runner_environment'
      ],
      'self-hosted',
    );
  });

  it('has the shape of both recorded GitHub predicates and passes the SLSA v1 rules', () => {
    const p = githubProvenance(hostedRunnerEnv());
    assert.deepEqual(shapeSet(p), shapeSet(bcr));
    // The npm one is the build type's first version: the same fields but runner_environment.
    const npm = recorded('slsa-v1_statement-v1_npm-github-actions.json');
    const extra = shapeSet(p).filter((k) => !shapeSet(npm).includes(k));
    assert.deepEqual(extra, ['.buildDefinition.internalParameters.github.runner_environment']);
    assert.deepEqual(provenancePredicateProblems(p), []);
  });

  it('a tag push: the ref, the commit, the run attempt; a GitHub Enterprise server', () => {
    const p = githubProvenance(
      hostedRunnerEnv({
        GITHUB_SERVER_URL: 'https://ghe.example.com/',
        GITHUB_EVENT_NAME: 'push',
        GITHUB_REF: 'refs/tags/v1.0.1@beta',
        GITHUB_WORKFLOW_REF:
          'aspect-build/rules_lint/.github/workflows/re@lease.yml@refs/tags/v1.0.1@beta',
        GITHUB_RUN_ATTEMPT: '3',
      }),
    );
    assert.deepEqual(p.buildDefinition.externalParameters, {
      workflow: {
        ref: 'refs/tags/v1.0.1@beta',
        repository: 'https://ghe.example.com/aspect-build/rules_lint',
        path: '.github/workflows/re@lease.yml',
      },
    });
    assert.deepEqual(p.buildDefinition.resolvedDependencies, [
      {
        uri: 'git+https://ghe.example.com/aspect-build/rules_lint@refs/tags/v1.0.1@beta',
        digest: { gitCommit: '8f70009fde0c94ade6ce2a054b94718c819126ec' },
      },
    ]);
    assert.equal(
      p.runDetails.metadata?.invocationId,
      'https://ghe.example.com/aspect-build/rules_lint/actions/runs/14095611671/attempts/3',
    );
  });

  it('names every missing or malformed variable at once', () => {
    const env = hostedRunnerEnv({ GITHUB_SHA: 'not-a-sha', RUNNER_ENVIRONMENT: 'cloud' });
    delete env['GITHUB_RUN_ID'];
    delete env['GITHUB_REPOSITORY_ID'];
    const e = expectCustodyError(
      () => githubProvenance(env),
      ProvenanceBuildError,
      'PROVENANCE_CI_VARIABLE_MISSING',
    );
    assert.deepEqual(e.details?.['missing'], ['GITHUB_REPOSITORY_ID', 'GITHUB_RUN_ID']);
    assert.deepEqual(e.details?.['malformed'], ['GITHUB_SHA', 'RUNNER_ENVIRONMENT']);
    assert.match(e.message, /--ci generic/);
    for (const name of GITHUB_VARIABLES) {
      const without = hostedRunnerEnv();
      delete without[name];
      expectCustodyError(
        () => githubProvenance(without),
        ProvenanceBuildError,
        'PROVENANCE_CI_VARIABLE_MISSING',
      );
    }
  });

  it('refuses events the build type does not describe (a pull request)', () => {
    for (const event of ['pull_request', 'pull_request_target', 'issues', 'schedule']) {
      expectCustodyError(
        () => githubProvenance(hostedRunnerEnv({ GITHUB_EVENT_NAME: event })),
        ProvenanceBuildError,
        'PROVENANCE_CI_EVENT_UNSUPPORTED',
      );
    }
    for (const event of ['create', 'release', 'push', 'workflow_dispatch']) {
      githubProvenance(hostedRunnerEnv({ GITHUB_EVENT_NAME: event }));
    }
  });
});
