import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  GITHUB_VARIABLES,
  GITLAB_VARIABLES,
  githubProvenance,
  gitlabProvenance,
  ProvenanceBuildError,
  provenancePredicateProblems,
} from '../../../src/formats/index.js';
import { gitlabJobEnv, hostedRunnerEnv } from '../../helpers/ci-env.js';
import { expectCustodyError } from '../../helpers/expect-error.js';

const NOW = new Date('2026-11-30T08:19:45.123Z');

describe('gitlabProvenance (GitLab Runner’s SLSA v1 format from the job’s variables)', () => {
  it('writes the runner’s fields from the job’s variables', () => {
    const env = gitlabJobEnv();
    const p = gitlabProvenance(env, NOW);
    const project = 'https://gitlab.com/acme/payments/api';
    // A release runner's version has no `v`: the runner then names its revision.
    assert.equal(
      p.buildDefinition.buildType,
      'https://gitlab.com/gitlab-org/gitlab-runner/-/blob/b92ee590/PROVENANCE.md',
    );
    const { entryPoint, source, ...names } = p.buildDefinition.externalParameters;
    assert.equal(entryPoint, 'build-release');
    assert.equal(source, project);
    // Every CI_/GITLAB_ variable by name, none by value: values may be secrets.
    assert.deepEqual(
      Object.keys(names),
      Object.keys(env)
        .filter((k) => /^(CI|GITLAB)_/.test(k))
        .sort(),
    );
    assert.ok(Object.values(names).every((v) => v === ''));
    assert.deepEqual(p.buildDefinition.internalParameters, {
      name: '3-blue.saas-linux-small-amd64.runners-manager.gitlab.com/default',
      architecture: 'amd64',
      job: '8541201337',
    });
    assert.deepEqual(p.buildDefinition.resolvedDependencies, [
      {
        uri: `git+${project}@refs/tags/v2.3.0`,
        digest: { gitCommit: '1ecfd275763eff1d6b4844ea3168962458c9f27a' },
      },
    ]);
    assert.deepEqual(p.runDetails, {
      builder: { id: `${project}/-/runners/12270807`, version: { 'gitlab-runner': 'b92ee590' } },
      metadata: {
        invocationId: '8541201337',
        startedOn: '2026-11-30T08:14:02Z',
        finishedOn: '2026-11-30T08:19:45Z',
      },
    });
    assert.deepEqual(provenancePredicateProblems(p), []);
  });

  it('a branch pipeline, a `v` version, a self-managed server under a path; a builder id given', () => {
    const p = gitlabProvenance(
      gitlabJobEnv({
        CI_COMMIT_TAG: '',
        CI_COMMIT_REF_NAME: 'main',
        CI_SERVER_URL: 'https://git.example.com/gitlab/',
        CI_RUNNER_VERSION: 'v17.4.0',
      }),
      NOW,
      { builderId: 'https://git.example.com/builders/hardened' },
    );
    assert.equal(
      p.buildDefinition.buildType,
      'https://gitlab.com/gitlab-org/gitlab-runner/-/blob/v17.4.0/PROVENANCE.md',
    );
    assert.equal(
      p.buildDefinition.resolvedDependencies?.[0]?.uri,
      'git+https://git.example.com/gitlab/acme/payments/api@refs/heads/main',
    );
    assert.equal(p.runDetails.builder.id, 'https://git.example.com/builders/hardened');
  });

  it('leaves out what the job does not tell (no start time, no runner description)', () => {
    const env = gitlabJobEnv();
    delete env['CI_JOB_STARTED_AT'];
    delete env['CI_RUNNER_DESCRIPTION'];
    delete env['CI_RUNNER_EXECUTABLE_ARCH'];
    const p = gitlabProvenance(env, NOW);
    assert.deepEqual(p.buildDefinition.internalParameters, { job: '8541201337' });
    assert.deepEqual(p.runDetails.metadata, {
      invocationId: '8541201337',
      finishedOn: '2026-11-30T08:19:45Z',
    });
  });

  it('names every missing variable', () => {
    for (const name of GITLAB_VARIABLES) {
      const env = gitlabJobEnv();
      delete env[name];
      const e = expectCustodyError(
        () => gitlabProvenance(env, NOW),
        ProvenanceBuildError,
        'PROVENANCE_CI_VARIABLE_MISSING',
      );
      assert.deepEqual(e.details?.['missing'], [name]);
    }
    const e = expectCustodyError(
      () => gitlabProvenance(gitlabJobEnv({ CI_COMMIT_SHA: 'HEAD', CI_JOB_ID: '12a' }), NOW),
      ProvenanceBuildError,
      'PROVENANCE_CI_VARIABLE_MISSING',
    );
    assert.deepEqual(e.details?.['malformed'], ['CI_COMMIT_SHA', 'CI_JOB_ID']);
  });
});

describe('CI variables are untrusted input', () => {
  it('any values: a valid predicate or a coded error, never a TypeError', () => {
    const value = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('', '1', 'a/b', 'x@y'));
    const check = (make: () => unknown) => {
      try {
        const p = make();
        assert.deepEqual(provenancePredicateProblems(p), []);
      } catch (e) {
        assert.ok(e instanceof ProvenanceBuildError, String(e));
      }
    };
    fc.assert(
      fc.property(
        fc.record(Object.fromEntries(GITHUB_VARIABLES.map((k) => [k, value])), {
          requiredKeys: [],
        }),
        (over) => check(() => githubProvenance(hostedRunnerEnv(over as Record<string, string>))),
      ),
    );
    fc.assert(
      fc.property(
        fc.record(Object.fromEntries(GITLAB_VARIABLES.map((k) => [k, value])), {
          requiredKeys: [],
        }),
        (over) => check(() => gitlabProvenance(gitlabJobEnv(over as Record<string, string>), NOW)),
      ),
    );
  });
});
