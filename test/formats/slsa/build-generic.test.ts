import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  buildProvenance,
  CUSTODY_GENERIC_BUILD_TYPE,
  genericProvenance,
  ProvenanceBuildError,
  parseExternalParameters,
  parseSourceDigest,
  provenancePredicateProblems,
  resolveCi,
  toTimestamp,
} from '../../../src/formats/index.js';
import { gitlabJobEnv, hostedRunnerEnv } from '../../helpers/ci-env.js';
import { expectCustodyError } from '../../helpers/expect-error.js';

const SHA = '599500821344b070902a7a5666064bfdaba715df';
const NOW = new Date('2026-12-01T10:00:00Z');

describe('genericProvenance (Custody’s generic build type, from flags)', () => {
  it('a Jenkins job described by its wrapper script', () => {
    const p = genericProvenance({
      builderId: 'https://jenkins.example.com/job/payments-release',
      sourceUri: 'https://git.example.com/payments/api',
      sourceDigest: `gitCommit:${SHA.toUpperCase()}`,
      sourceRef: 'refs/tags/v4.1.0',
      invocationId: 'https://jenkins.example.com/job/payments-release/118/',
      externalParameters: ['profile=release', 'flags=-O2 -DNDEBUG=1', 'empty='],
      startedOn: '2026-12-01T11:00:00+01:00',
      finishedOn: '2026-12-01T10:07:30.25Z',
    });
    assert.deepEqual(p, {
      buildDefinition: {
        buildType: CUSTODY_GENERIC_BUILD_TYPE,
        externalParameters: {
          source: 'https://git.example.com/payments/api',
          ref: 'refs/tags/v4.1.0',
          profile: 'release',
          flags: '-O2 -DNDEBUG=1',
          empty: '',
        },
        resolvedDependencies: [
          {
            uri: 'git+https://git.example.com/payments/api@refs/tags/v4.1.0',
            digest: { gitCommit: SHA },
          },
        ],
      },
      runDetails: {
        builder: { id: 'https://jenkins.example.com/job/payments-release' },
        metadata: {
          invocationId: 'https://jenkins.example.com/job/payments-release/118/',
          startedOn: '2026-12-01T10:00:00Z',
          finishedOn: '2026-12-01T10:07:30.25Z',
        },
      },
    });
    assert.deepEqual(provenancePredicateProblems(p), []);
  });

  it('the builder id alone is enough; a non-git source keeps its URI; --build-type', () => {
    assert.deepEqual(genericProvenance({ builderId: 'urn:example:builder' }), {
      buildDefinition: { buildType: CUSTODY_GENERIC_BUILD_TYPE, externalParameters: {} },
      runDetails: { builder: { id: 'urn:example:builder' } },
    });
    const p = genericProvenance({
      builderId: 'https://tekton.example.com/tasks/build',
      buildType: 'https://tekton.dev/chains/v2/slsa',
      sourceUri: 'https://downloads.example.com/src/app-4.1.0.tar.gz',
      sourceDigest: `sha256:${'ab'.repeat(32)}`,
    });
    assert.equal(p.buildDefinition.buildType, 'https://tekton.dev/chains/v2/slsa');
    assert.deepEqual(p.buildDefinition.resolvedDependencies, [
      {
        uri: 'https://downloads.example.com/src/app-4.1.0.tar.gz',
        digest: { sha256: 'ab'.repeat(32) },
      },
    ]);
  });

  it('reports every bad flag at once', () => {
    const e = expectCustodyError(
      () =>
        genericProvenance({
          builderId: 'not a uri',
          sourceDigest: 'gitCommit:abc',
          externalParameters: ['novalue'],
          startedOn: '2026-02-30T00:00:00Z',
          finishedOn: 'yesterday',
        }),
      ProvenanceBuildError,
      'PROVENANCE_PARAMETER_INVALID',
    );
    const problems = e.details?.['problems'] as string[];
    for (const flag of [
      '--builder-id',
      '--source-digest',
      '--external-parameter',
      '--started-on',
      '--finished-on',
      '--source-uri',
    ]) {
      assert.ok(
        problems.some((p) => p.includes(flag)),
        `${flag} in ${problems.join(' | ')}`,
      );
    }
  });

  it('refuses what would make the description ambiguous', () => {
    const bad: Parameters<typeof genericProvenance>[0][] = [
      {},
      { builderId: 'https://b.example', externalParameters: ['source=x'] },
      { builderId: 'https://b.example', externalParameters: ['a=1', 'a=2'] },
      { builderId: 'https://b.example', externalParameters: ['=1'] },
      { builderId: 'https://b.example', externalParameters: ['a\nb=1'] },
      { builderId: 'https://b.example', externalParameters: ['a=\u0000'] },
      { builderId: 'https://b.example', sourceUri: 'https://s.example', sourceRef: 'two words' },
      {
        builderId: 'https://b.example',
        startedOn: '2026-01-02T00:00:00Z',
        finishedOn: '2026-01-01T00:00:00Z',
      },
      { builderId: `https://b.example/${'x'.repeat(3000)}` },
      { builderId: 'https://b.example', sourceUri: 'https://s.example', sourceDigest: 'md4:00' },
      { builderId: 'https://b.example', invocationId: '' },
    ];
    for (const f of bad) {
      expectCustodyError(
        () => genericProvenance(f),
        ProvenanceBuildError,
        'PROVENANCE_PARAMETER_INVALID',
      );
    }
    const many = Array.from({ length: 257 }, (_, i) => `k${i}=v`);
    expectCustodyError(
      () => parseExternalParameters(many),
      ProvenanceBuildError,
      'PROVENANCE_PARAMETER_INVALID',
    );
  });

  it('parsers: arbitrary input parses or is a coded error, never a TypeError; k=v round-trips', () => {
    const isCoded = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        assert.ok(e instanceof ProvenanceBuildError, String(e));
        assert.equal(e.code, 'PROVENANCE_PARAMETER_INVALID');
      }
    };
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 40 }), { maxLength: 8 }), (flags) =>
        isCoded(() => parseExternalParameters(flags)),
      ),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => isCoded(() => parseSourceDigest(s))),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        const t = toTimestamp(s);
        if (t !== undefined) assert.match(t, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
      }),
    );
    const key = fc
      .stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,20}$/)
      .filter((k) => k !== 'source' && k !== 'ref');
    fc.assert(
      fc.property(
        fc.dictionary(
          key,
          fc
            .string({ maxLength: 30 })
            .filter((v) => ![...v].some((c) => c < ' ' || c === '\u007f')),
        ),
        (d) => {
          const flags = Object.entries(d).map(([k, v]) => `${k}=${v}`);
          assert.deepEqual(parseExternalParameters(flags), { ...d });
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1970-01-01T00:00:00Z'),
          max: new Date('2999-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        (d) => {
          const whole = d.toISOString().replace(/\.\d{3}Z$/, 'Z');
          assert.equal(toTimestamp(whole), whole);
        },
      ),
    );
  });
});

describe('buildProvenance (which CI describes the build)', () => {
  it('auto: GitHub Actions, then GitLab CI, else generic', () => {
    assert.equal(resolveCi('auto', hostedRunnerEnv()), 'github');
    assert.equal(resolveCi('auto', gitlabJobEnv()), 'gitlab');
    assert.equal(resolveCi('auto', { GITHUB_ACTIONS: 'false', PATH: '/bin' }), 'generic');
    assert.equal(resolveCi('generic', hostedRunnerEnv()), 'generic');
    const g = buildProvenance({ ci: 'auto', env: hostedRunnerEnv(), flags: {}, now: NOW });
    assert.equal(g.ci, 'github');
    const l = buildProvenance({ ci: 'auto', env: gitlabJobEnv(), flags: {}, now: NOW });
    assert.equal(l.ci, 'gitlab');
  });

  it('outside a CI without --builder-id: a coded error that says what to pass', () => {
    const e = expectCustodyError(
      () => buildProvenance({ ci: 'auto', env: {}, flags: {}, now: NOW }),
      ProvenanceBuildError,
      'PROVENANCE_PARAMETER_INVALID',
    );
    assert.match(e.message, /--builder-id is required/);
    // Named CI, but not in it: the variables are missing.
    expectCustodyError(
      () => buildProvenance({ ci: 'github', env: {}, flags: {}, now: NOW }),
      ProvenanceBuildError,
      'PROVENANCE_CI_VARIABLE_MISSING',
    );
  });

  it('in a CI, the generic flags are refused and --builder-id is checked then used', () => {
    const e = expectCustodyError(
      () =>
        buildProvenance({
          ci: 'auto',
          env: hostedRunnerEnv(),
          flags: { sourceUri: 'https://x.example', externalParameters: ['a=b'] },
          now: NOW,
        }),
      ProvenanceBuildError,
      'PROVENANCE_PARAMETER_INVALID',
    );
    assert.match(e.message, /--source-uri, --external-parameter only apply with --ci generic/);
    expectCustodyError(
      () =>
        buildProvenance({
          ci: 'auto',
          env: hostedRunnerEnv(),
          flags: { builderId: 'nope' },
          now: NOW,
        }),
      ProvenanceBuildError,
      'PROVENANCE_PARAMETER_INVALID',
    );
    const id = 'https://github.com/acme/builders/.github/workflows/build.yml@refs/tags/v1';
    const r = buildProvenance({
      ci: 'auto',
      env: hostedRunnerEnv(),
      flags: { builderId: id, externalParameters: [] },
      now: NOW,
    });
    assert.equal(r.predicate.runDetails.builder.id, id);
  });

  it('appends the extra dependencies after the source', () => {
    const r = buildProvenance({
      ci: 'gitlab',
      env: gitlabJobEnv(),
      flags: {},
      now: NOW,
      dependencies: [
        { uri: 'pkg:npm/a@1.0.0' },
        { name: 'sbom', digest: { sha256: 'cd'.repeat(32) } },
      ],
    });
    const deps = r.predicate.buildDefinition.resolvedDependencies ?? [];
    assert.deepEqual(
      deps.map((d) => d.uri ?? d.name),
      ['git+https://gitlab.com/acme/payments/api@refs/tags/v2.3.0', 'pkg:npm/a@1.0.0', 'sbom'],
    );
  });
});
