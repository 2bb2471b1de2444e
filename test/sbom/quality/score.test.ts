import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Component, SbomDocument } from '../../../src/sbom/model.js';
import {
  allChecks,
  CHECK_IDS,
  type CheckId,
  type CheckResult,
  formatQualityText,
  type QualityReport,
  scoreSbom,
} from '../../../src/sbom/quality/index.js';
import { comp, doc, goodDoc, NOW, omit } from './sbom-builder.js';

function check(report: QualityReport, id: CheckId): CheckResult {
  const found = allChecks(report).find((c) => c.id === id);
  assert.ok(found, `no check ${id}`);
  return found;
}

/** Score a document holding one good component and one `bad` one; return the check. */
function withBad(id: CheckId, bad: Component, over: Partial<SbomDocument> = {}): CheckResult {
  return check(scoreSbom(doc([comp('good', '1.0.0'), bad], over), { now: NOW }), id);
}

/** Component checks: a component that fails each one (the good one passes them all). */
const COMPONENT_FAILURES: [CheckId, Component][] = [
  ['ntia.name', comp('', '1.0.0')],
  ['ntia.version', omit(comp('x', '1.0.0'), 'version')],
  ['ntia.unique-id', omit(comp('x', '1.0.0'), 'purl', 'cpe')],
  ['identification.purl', omit(comp('x', '1.0.0'), 'purl')],
  ['identification.valid-purl', comp('x', '1.0.0', { purl: 'npm:x@1.0.0' })],
  ['integrity.hash', comp('x', '1.0.0', { hashes: [] })],
  [
    'integrity.strong-hash',
    comp('x', '1.0.0', { hashes: [{ alg: 'SHA-1', content: 'ab'.repeat(20) }] }),
  ],
  ['licensing.present', comp('x', '1.0.0', { licenses: ['NOASSERTION'] })],
  ['licensing.valid-spdx', comp('x', '1.0.0', { licenses: ['Some Custom Licence v7'] })],
  ['licensing.no-noassertion', comp('x', '1.0.0', { licenses: ['MIT', 'NONE'] })],
  ['licensing.no-deprecated', comp('x', '1.0.0', { licenses: ['GPL-2.0'] })],
  ['structure.versions', omit(comp('x', '1.0.0'), 'version')],
  ['structure.exact-versions', comp('x', '^1.0.0')],
];

describe('scoreSbom', () => {
  describe('a complete Custody-generated SBOM', () => {
    it('scores at least 9 (grade A)', () => {
      const report = scoreSbom(goodDoc(), { now: NOW, schemaValid: true });
      assert.ok(report.score >= 9, `score ${report.score}`);
      assert.equal(report.grade, 'A');
      assert.equal(report.components, 3);
      assert.equal(report.ageDays, 9);
    });

    it('has every check id exactly once, grouped by category', () => {
      const report = scoreSbom(goodDoc(), { now: NOW });
      assert.deepEqual(
        allChecks(report).map((c) => c.id),
        [...CHECK_IDS],
      );
      for (const cat of report.categories) {
        for (const c of cat.checks) assert.ok(c.id.startsWith(`${cat.id}.`), c.id);
      }
    });
  });

  describe('component checks', () => {
    for (const [id, bad] of COMPONENT_FAILURES) {
      it(`${id} passes on complete components`, () => {
        const c = check(scoreSbom(goodDoc(), { now: NOW }), id);
        assert.equal(c.score, 10, c.summary);
        assert.deepEqual(c.failing, []);
      });
      it(`${id} fails and names the component`, () => {
        const c = withBad(id, bad);
        assert.ok(c.score < 10, c.summary);
        assert.deepEqual(
          c.failing.map((f) => f.ref),
          [bad.ref],
        );
        assert.equal(c.failing[0]?.label, bad.version ? `${bad.name}@${bad.version}` : bad.name);
      });
    }

    it('ntia.supplier passes with a supplier or an author, fails with neither', () => {
      const withSupplier = comp('s', '1.0.0', { supplier: 'ACME' });
      const withAuthor = comp('a', '1.0.0', { author: 'Jane' });
      const neither = comp('n', '1.0.0');
      const c = check(
        scoreSbom(doc([withSupplier, withAuthor, neither]), { now: NOW }),
        'ntia.supplier',
      );
      assert.deepEqual(
        c.failing.map((f) => f.ref),
        [neither.ref],
      );
      assert.equal(c.score, 6.67);
      assert.match(c.summary, /^2\/3 components/);
    });

    it('identification.cpe counts well-formed CPEs', () => {
      const good = comp('g', '1.0.0', { cpe: 'cpe:2.3:a:vendor:g:1.0.0:*:*:*:*:*:*:*' });
      const bad = comp('b', '1.0.0', { cpe: 'not-a-cpe' });
      const c = check(scoreSbom(doc([good, bad]), { now: NOW }), 'identification.cpe');
      assert.deepEqual(
        c.failing.map((f) => f.ref),
        [bad.ref],
      );
    });

    it('integrity.strong-hash says how many have only weak hashes', () => {
      const weak = comp('w', '1.0.0', { hashes: [{ alg: 'MD5', content: 'ab'.repeat(16) }] });
      const c = check(scoreSbom(doc([weak]), { now: NOW }), 'integrity.strong-hash');
      assert.equal(c.score, 0);
      assert.match(c.summary, /1 only SHA-1\/MD5/);
    });

    it('accepts corrected common spellings and expressions as valid SPDX', () => {
      const c = comp('x', '1.0.0', { licenses: ['(MIT OR Apache-2.0)', 'Apache 2.0'] });
      assert.equal(check(scoreSbom(doc([c]), { now: NOW }), 'licensing.valid-spdx').score, 10);
    });

    it('scores 0 when a population check has nothing to check', () => {
      const c = check(
        scoreSbom(doc([omit(comp('x', '1.0.0'), 'purl')]), { now: NOW }),
        'identification.valid-purl',
      );
      assert.equal(c.score, 0);
      assert.match(c.summary, /^no components that have a purl/);
    });

    it('passes vacuously with no components', () => {
      const report = scoreSbom(doc([]), { now: NOW });
      for (const c of allChecks(report).filter((k) => k.scope === 'component'))
        assert.equal(c.score, 10, c.id);
    });
  });

  describe('document checks', () => {
    it('ntia.dependencies: primary deps 10, other edges only 5, no graph 0', () => {
      const a = comp('a', '1.0.0', { dependsOn: ['pkg:npm/b@1.0.0'] });
      const b = comp('b', '1.0.0');
      const full = doc([a, b]);
      assert.equal(check(scoreSbom(full, { now: NOW }), 'ntia.dependencies').score, 10);
      const noSubjectEdges = doc([a, b]);
      if (noSubjectEdges.subject) noSubjectEdges.subject.dependsOn = [];
      assert.equal(check(scoreSbom(noSubjectEdges, { now: NOW }), 'ntia.dependencies').score, 5);
      const none = doc([a, b], { hasDependencyGraph: false });
      assert.equal(check(scoreSbom(none, { now: NOW }), 'ntia.dependencies').score, 0);
      assert.equal(check(scoreSbom(none, { now: NOW }), 'structure.dependency-graph').score, 0);
    });

    it('structure.dependency-graph fails on a graph without edges', () => {
      const d = doc([comp('a', '1.0.0')]);
      if (d.subject) d.subject.dependsOn = [];
      assert.equal(check(scoreSbom(d, { now: NOW }), 'structure.dependency-graph').score, 0);
    });

    it('ntia.author: authors 10, tool only 5, nothing 0', () => {
      const cs = [comp('a', '1.0.0')];
      assert.equal(
        check(scoreSbom(doc(cs, { authors: ['ACME Inc.'] }), { now: NOW }), 'ntia.author').score,
        10,
      );
      assert.equal(check(scoreSbom(doc(cs), { now: NOW }), 'ntia.author').score, 5);
      assert.equal(check(scoreSbom(doc(cs, { tools: [] }), { now: NOW }), 'ntia.author').score, 0);
    });

    it('ntia.timestamp fails when missing or unreadable', () => {
      const cs = [comp('a', '1.0.0')];
      const { timestamp: _, ...noTs } = doc(cs);
      assert.equal(check(scoreSbom(noTs, { now: NOW }), 'ntia.timestamp').score, 0);
      const bad = doc(cs, { timestamp: 'yesterday' });
      assert.equal(check(scoreSbom(bad, { now: NOW }), 'ntia.timestamp').score, 0);
      assert.equal(scoreSbom(bad, { now: NOW }).ageDays, undefined);
    });

    it('structure.schema-valid follows the flag; without it the check weighs nothing', () => {
      const d = goodDoc();
      assert.equal(
        check(scoreSbom(d, { now: NOW, schemaValid: true }), 'structure.schema-valid').score,
        10,
      );
      const invalid = check(
        scoreSbom(d, { now: NOW, schemaValid: false, schemaErrors: 3 }),
        'structure.schema-valid',
      );
      assert.equal(invalid.score, 0);
      assert.equal(invalid.summary, '3 schema errors');
      const unknown = check(scoreSbom(d, { now: NOW }), 'structure.schema-valid');
      assert.equal(unknown.applicable, false);
      assert.equal(
        scoreSbom(d, { now: NOW }).score,
        scoreSbom(d, { now: NOW, schemaValid: true }).score,
      );
      assert.ok(
        scoreSbom(d, { now: NOW, schemaValid: false }).score < scoreSbom(d, { now: NOW }).score,
      );
    });

    describe('freshness.timestamp-age', () => {
      const at = (days: number) =>
        check(
          scoreSbom(
            doc([comp('a', '1.0.0')], {
              timestamp: new Date(NOW.getTime() - days * 86_400_000).toISOString(),
            }),
            {
              now: NOW,
            },
          ),
          'freshness.timestamp-age',
        ).score;
      it('is full up to 30 days', () => {
        assert.equal(at(0), 10);
        assert.equal(at(30), 10);
      });
      it('decays linearly to 0 at a year', () => {
        assert.equal(at(197.5), 5);
        assert.ok(at(100) > at(200));
        assert.equal(at(365), 0);
        assert.equal(at(2000), 0);
      });
      it('tolerates a day of clock skew but not a timestamp in the future', () => {
        assert.equal(at(-0.5), 10);
        assert.equal(at(-10), 0);
      });
      it('is 0 without a timestamp', () => {
        const { timestamp: _, ...d } = doc([comp('a', '1.0.0')]);
        assert.equal(check(scoreSbom(d, { now: NOW }), 'freshness.timestamp-age').score, 0);
      });
    });
  });

  describe('formatQualityText', () => {
    it('leads with the score and names failing components', () => {
      const text = formatQualityText(
        scoreSbom(doc([comp('x', '1.0.0', { hashes: [] })]), { now: NOW }),
      );
      assert.match(text, /^SBOM quality: \d+\.\d\/10 \(grade [A-F]\), 1 components\n/);
      assert.match(
        text,
        /✗ integrity\.hash +0\.0 +0\/1 components have a hash\n +failing: x@1\.0\.0/,
      );
      assert.match(text, /- structure\.schema-valid +n\/a/);
    });

    it('shortens long failing lists', () => {
      const cs = Array.from({ length: 8 }, (_, i) => comp(`p${i}`, '1.0.0', { hashes: [] }));
      assert.match(formatQualityText(scoreSbom(doc(cs), { now: NOW })), /… and 3 more/);
    });
  });

  describe('properties', () => {
    const componentArb = fc.record({
      name: fc.string({ maxLength: 8 }),
      version: fc.option(fc.constantFrom('1.0.0', '^1.2', '1.x', 'latest', '2.0.0-rc.1', ''), {
        nil: undefined,
      }),
      purl: fc.option(fc.constantFrom('pkg:npm/a@1', 'garbage', 'pkg:pypi/b'), { nil: undefined }),
      licenses: fc.array(
        fc.constantFrom('MIT', 'NOASSERTION', 'GPL-2.0', 'free text', 'MIT OR Apache-2.0', ''),
        {
          maxLength: 3,
        },
      ),
      hashes: fc.array(
        fc.record({
          alg: fc.constantFrom('SHA-1', 'SHA-256', 'MD5', 'BLAKE3', 'x'),
          content: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 8 }),
        }),
        { maxLength: 2 },
      ),
      supplier: fc.option(fc.string({ maxLength: 4 }), { nil: undefined }),
    });

    it('the score is always within 0..10, as is every check', () => {
      fc.assert(
        fc.property(
          fc.array(componentArb, { maxLength: 12 }),
          fc.option(fc.date(), { nil: undefined }),
          fc.date(),
          fc.option(fc.boolean(), { nil: undefined }),
          (specs, ts, now, schemaValid) => {
            const cs = specs.map((s, i) => {
              let c = comp(s.name, s.version, {
                ref: `r${i}`,
                licenses: s.licenses,
                hashes: s.hashes,
              });
              c = s.purl === undefined ? omit(c, 'purl') : { ...c, purl: s.purl };
              if (s.supplier !== undefined) c.supplier = s.supplier;
              return c;
            });
            const base = doc(cs);
            const d: SbomDocument =
              ts && !Number.isNaN(ts.getTime()) ? { ...base, timestamp: ts.toISOString() } : base;
            const opts = schemaValid === undefined ? { now } : { now, schemaValid };
            const report = scoreSbom(d, opts);
            assert.ok(report.score >= 0 && report.score <= 10, String(report.score));
            for (const c of allChecks(report))
              assert.ok(c.score >= 0 && c.score <= 10, `${c.id} ${c.score}`);
          },
        ),
      );
    });
  });
});
