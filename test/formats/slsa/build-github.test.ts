import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  GITHUB_VARIABLES,
  githubProvenance,
  ProvenanceBuildError,
  provenancePredicateProblems,
} from '../../../src/formats/index.js';
import { hostedRunnerEnv } from '../../helpers/ci-env.js';
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
    const github = s.buildDefinition.internalParameters?.['github'] as Record<string, string>;
    assert.equal(github['runner_environment'], 'self-hosted');
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
