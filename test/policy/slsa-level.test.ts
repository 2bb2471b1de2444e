import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  assessSlsaLevel,
  DEFAULT_SLSA_BUILDERS,
  GITHUB_ACTIONS_ISSUER,
  matchesPattern,
  type ProvenanceEvidence,
  parseSlsaBuilders,
  parseSlsaLevel,
  type SlsaBuilderTrust,
  SlsaLevelError,
} from '../../src/policy/index.js';
import { expectCustodyError } from '../helpers/expect-error.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const GENERATOR =
  'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.1.0';
const HOSTED = 'https://github.com/actions/runner/github-hosted';

function prov(over: Partial<ProvenanceEvidence> = {}): ProvenanceEvidence {
  return {
    artifact: A,
    predicateType: 'https://slsa.dev/provenance/v1',
    builderId: 'https://ci.example/jenkins',
    buildType: 'https://ci.example/buildtypes/make/v1',
    externalParameters: true,
    signer: { kind: 'key', name: 'release', hint: 'aGludA==' },
    emergency: false,
    dependencies: 4,
    pinned: 3,
    ...over,
  };
}

const JENKINS: SlsaBuilderTrust = { builderId: 'https://ci.example/jenkins', level: 2 };
const assess = (
  provenance: ProvenanceEvidence[],
  builders: readonly SlsaBuilderTrust[] = DEFAULT_SLSA_BUILDERS,
  artifacts = [A],
) => assessSlsaLevel({ artifacts, provenance, builders, rebuilds: [] });
const codes = (gaps: { code: string }[]) => gaps.map((g) => g.code);

describe('assessSlsaLevel', () => {
  it('L0: no provenance, with the gap to L1', () => {
    const r = assess([]);
    assert.equal(r.level, 0);
    assert.deepEqual(codes(r.gaps), ['SLSA_NO_PROVENANCE']);
    assert.equal(r.dependencies.ratio, null);
  });

  it('L0: provenance that does not name the build type and parameters', () => {
    const r = assess([prov({ buildType: null, externalParameters: false })]);
    assert.equal(r.level, 0);
    assert.deepEqual(codes(r.gaps), ['SLSA_PROVENANCE_INCOMPLETE']);
    assert.match(r.gaps[0]?.message ?? '', /lacks buildType, externalParameters/);
  });

  it('L1: complete provenance from a builder nobody trusts', () => {
    const r = assess([prov()]);
    assert.equal(r.level, 1);
    assert.deepEqual(codes(r.gaps), ['SLSA_BUILDER_UNTRUSTED']);
    assert.deepEqual(r.dependencies, { total: 4, pinned: 3, ratio: 0.75 });
  });

  it('L2: a trusted builder with a registered key; a key caps at L2 even when trusted at L3', () => {
    const r = assess([prov()], [JENKINS]);
    assert.equal(r.level, 2);
    assert.deepEqual(codes(r.gaps), ['SLSA_KEY_SIGNED']);
    const capped = assess([prov()], [{ ...JENKINS, level: 3 }]);
    assert.equal(capped.level, 2);
    assert.deepEqual(codes(capped.gaps), ['SLSA_KEY_SIGNED']);
    // A root naming another key does not apply.
    assert.equal(assess([prov()], [{ ...JENKINS, key: 'other' }]).level, 1);
  });

  it("L2: GitHub's hosted runner signing keylessly as the calling workflow", () => {
    const r = assess([
      prov({
        builderId: HOSTED,
        buildType: 'https://actions.github.io/buildtypes/workflow/v1',
        signer: {
          kind: 'identity',
          identity: 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0',
          issuer: GITHUB_ACTIONS_ISSUER,
        },
      }),
    ]);
    assert.equal(r.level, 2);
    assert.deepEqual(codes(r.gaps), ['SLSA_BUILDER_NOT_ISOLATED']);
  });

  it('L3: slsa-github-generator signing keylessly as its reusable workflow', () => {
    const r = assess([
      prov({
        builderId: GENERATOR,
        signer: { kind: 'identity', identity: GENERATOR, issuer: GITHUB_ACTIONS_ISSUER },
      }),
    ]);
    assert.equal(r.level, 3);
    assert.deepEqual(r.gaps, []);
    assert.match(r.artifacts[0]?.evidence.join('\n') ?? '', /isolated builder's identity/);
  });

  it('the generator builder id signed by another identity or issuer is not L3', () => {
    const other = assess([
      prov({
        builderId: GENERATOR,
        signer: {
          kind: 'identity',
          identity: 'https://github.com/evil/fork/.github/workflows/x.yml@refs/heads/main',
          issuer: GITHUB_ACTIONS_ISSUER,
        },
      }),
    ]);
    assert.equal(other.level, 1);
    const issuer = assess([
      prov({
        builderId: GENERATOR,
        signer: { kind: 'identity', identity: GENERATOR, issuer: 'https://evil.example' },
      }),
    ]);
    assert.equal(issuer.level, 1);
  });

  it('an emergency certificate caps at L2', () => {
    const r = assess([
      prov({
        builderId: GENERATOR,
        emergency: true,
        signer: { kind: 'identity', identity: GENERATOR, issuer: GITHUB_ACTIONS_ISSUER },
      }),
    ]);
    assert.equal(r.level, 2);
    assert.deepEqual(codes(r.gaps), ['SLSA_EMERGENCY_SIGNATURE']);
  });

  it('a release is as strong as its weakest artifact; the best provenance per artifact counts', () => {
    const r = assess([prov(), prov({ buildType: null }), prov({ artifact: B })], [JENKINS], [A, B]);
    assert.equal(r.level, 2);
    const s = assess([prov()], [JENKINS], [A, B]);
    assert.equal(s.level, 0);
    assert.deepEqual(codes(s.gaps), ['SLSA_NO_PROVENANCE']);
    assert.equal(s.artifacts[0]?.level, 2);
    assert.equal(assess([], [], []).level, 0);
    assert.deepEqual(codes(assess([], [], []).gaps), ['SLSA_NO_ARTIFACTS']);
  });

  it('reproducible: the newest rebuild of every artifact decides', () => {
    const base = { artifacts: [A, B], provenance: [], builders: [] };
    const v = (rebuilds: { artifact: string; matches: boolean }[]) =>
      assessSlsaLevel({ ...base, rebuilds }).reproducible.verdict;
    assert.equal(v([]), 'unknown');
    assert.equal(v([{ artifact: A, matches: true }]), 'unknown');
    assert.equal(
      v([
        { artifact: A, matches: true },
        { artifact: B, matches: true },
      ]),
      'reproducible',
    );
    assert.equal(
      v([
        { artifact: A, matches: true },
        { artifact: B, matches: false },
      ]),
      'not-reproducible',
    );
    assert.equal(
      v([
        { artifact: B, matches: false },
        { artifact: A, matches: true },
        { artifact: B, matches: true },
      ]),
      'reproducible',
    );
  });
});

describe('parseSlsaBuilders', () => {
  it('takes builders and refuses what is not one, listing every problem', () => {
    assert.deepEqual(parseSlsaBuilders([{ builderId: 'https://b', level: 2, key: 'k' }]), [
      { builderId: 'https://b', level: 2, key: 'k' },
    ]);
    const e = expectCustodyError(
      () =>
        parseSlsaBuilders([{ builderId: '', level: 4 }, 'x', { builderId: 'b', level: 1, z: 1 }]),
      SlsaLevelError,
      'SLSA_SETTINGS_INVALID',
    );
    assert.equal((e.details as { problems: string[] }).problems.length, 4);
  });

  it('arbitrary JSON parses or throws SlsaLevelError, never a TypeError', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        try {
          parseSlsaBuilders(v);
          parseSlsaBuilders([v]);
        } catch (e) {
          assert.ok(e instanceof SlsaLevelError, String(e));
        }
      }),
    );
  });
});

describe('parseSlsaLevel and matchesPattern', () => {
  it('levels', () => {
    assert.equal(parseSlsaLevel('L2'), 2);
    assert.equal(parseSlsaLevel('3'), 3);
    expectCustodyError(() => parseSlsaLevel('L4'), SlsaLevelError, 'SLSA_LEVEL_INVALID');
  });

  it('* matches any run; everything else literally', () => {
    assert.ok(matchesPattern('https://x/*@refs/tags/v*', 'https://x/a.yml@refs/tags/v1.2'));
    assert.ok(!matchesPattern('https://x/*@refs/tags/v*', 'https://x/a.yml@refs/heads/main'));
    assert.ok(!matchesPattern('a.c', 'abc'));
    assert.ok(matchesPattern('*', ''));
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (a, b, c) => {
        const lit = (s: string) => s.replaceAll('*', '');
        assert.ok(matchesPattern(`${lit(a)}*${lit(c)}`, `${lit(a)}${b}${lit(c)}`));
        assert.equal(matchesPattern(lit(a), b), lit(a) === b);
      }),
    );
  });
});
