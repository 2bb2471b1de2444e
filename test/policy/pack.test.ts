import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { run as bufRun } from '@bufbuild/cel';
import {
  BUILTIN_PACK_SOURCE,
  compilePolicy,
  EVIDENCE_SHAPE,
  type Evidence,
  emptyEvidence,
  evaluatePolicy,
  parsePolicy,
  toCel,
} from '../../src/policy/index.js';
import { ARTIFACT, goodEvidence } from './good-evidence.js';

const pack = compilePolicy(parsePolicy(BUILTIN_PACK_SOURCE, 'builtin'));

/** Each rule of the pack and one fact that, broken alone, fails it (and only it). */
const BREAKS: Record<string, (e: Evidence) => void> = {
  'provenance-present': (e) => {
    e.provenance = [];
  },
  'builder-allowed': (e) => {
    (e.provenance[0] as Evidence['provenance'][number]).builderId = 'https://jenkins.example/agent';
  },
  'build-type-allowed': (e) => {
    (e.provenance[0] as Evidence['provenance'][number]).buildType = 'https://example.com/make';
  },
  'source-repository-present': (e) => {
    (e.provenance[0] as Evidence['provenance'][number]).source.uri = null;
  },
  'source-digest-present': (e) => {
    (e.provenance[0] as Evidence['provenance'][number]).source.digest = '';
  },
  'dependencies-pinned': (e) => {
    (e.provenance[0] as Evidence['provenance'][number]).resolvedDependencies = {
      total: 12,
      pinned: 11,
      ratio: 11 / 12,
    };
  },
  'release-commit-signed': (e) => {
    e.commit.signed = false;
  },
  'sbom-signed-attached': (e) => {
    e.sbom.signed = false;
  },
  'sbom-quality': (e) => {
    e.sbom.quality.score = 6.9;
  },
  'licenses-not-restricted': (e) => {
    e.sbom.licenses = ['AGPL-3.0-only', 'MIT'];
  },
  'sbom-subject-matches': (e) => {
    e.sbom.subjectMatchesArtifact = false;
  },
};

function failing(evidence: Evidence, params?: Record<string, unknown>): string[] {
  const d = evaluatePolicy(pack, evidence, params ? { params } : {});
  return d.results.filter((r) => r.outcome !== 'pass').map((r) => r.name);
}

describe('the built-in pack', () => {
  it('has a rule for each gate of Briefs 2 and 4, and a break for each rule', () => {
    assert.deepEqual(pack.rules.map((r) => r.rule.name).sort(), Object.keys(BREAKS).sort());
  });

  it('passes on good evidence', () => {
    const d = evaluatePolicy(pack, goodEvidence());
    assert.equal(d.allowed, true, JSON.stringify(d.results));
    assert.equal(d.counts.pass, pack.rules.length);
  });

  for (const [rule, breakIt] of Object.entries(BREAKS)) {
    it(`fails ${rule} alone when its fact is broken`, () => {
      const e = goodEvidence();
      breakIt(e);
      const failed = failing(e);
      // Without provenance every provenance rule fails with it: they all need one.
      if (rule === 'provenance-present')
        assert.ok(failed.includes(rule) && failed.length === 6, failed.join());
      else assert.deepEqual(failed, [rule]);
    });
  }

  it('denies everything on empty evidence', () => {
    const d = evaluatePolicy(pack, emptyEvidence(ARTIFACT));
    assert.equal(d.allowed, false);
    assert.equal(d.counts.pass, 0);
  });

  it('takes params: a lower pinned ratio, an allowed builder, a source prefix', () => {
    const e = goodEvidence();
    BREAKS['dependencies-pinned']?.(e);
    BREAKS['builder-allowed']?.(e);
    assert.deepEqual(failing(e), ['builder-allowed', 'dependencies-pinned']);
    assert.deepEqual(
      failing(e, { minPinnedRatio: 0.9, allowedBuilders: ['https://jenkins.example/agent'] }),
      [],
    );
    assert.deepEqual(
      failing(goodEvidence(), { allowedSourcePrefixes: ['git+https://github.com/other/'] }),
      ['source-repository-present'],
    );
    assert.deepEqual(
      failing(goodEvidence(), { allowedSourcePrefixes: ['git+https://github.com/acme/'] }),
      [],
    );
  });
});

/** @bufbuild/cel's values: maps as Map, the same ints and doubles (toCel). */
function forBuf(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(forBuf);
  if (v !== null && typeof v === 'object')
    return new Map(Object.entries(v).map(([k, e]) => [k, forBuf(e)]));
  return v;
}

describe('cross-check with @bufbuild/cel', () => {
  const cases: Evidence[] = [goodEvidence(), emptyEvidence(ARTIFACT)];
  for (const breakIt of Object.values(BREAKS)) {
    const e = goodEvidence();
    breakIt(e);
    cases.push(e);
  }

  it('evaluates every rule of the pack to the same result on every case', () => {
    let compared = 0;
    for (const evidence of cases) {
      const d = evaluatePolicy(pack, evidence);
      const bindings = {
        evidence: forBuf(toCel(evidence, EVIDENCE_SHAPE)),
        params: forBuf(toCel(pack.document.params, 'json')),
      };
      for (const { rule } of pack.rules) {
        const ours = d.results.find((r) => r.name === rule.name)?.outcome;
        const theirs = bufRun(rule.expression, bindings as never);
        assert.equal(typeof theirs, 'boolean', `${rule.name}: ${String(theirs)}`);
        assert.equal(ours, theirs ? 'pass' : 'fail', `${rule.name} on case ${compared}`);
        compared++;
      }
    }
    assert.equal(compared, cases.length * pack.rules.length);
  });
});
