import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { validateSbom } from '../../../src/formats/index.js';
import {
  allChecks,
  DEFAULT_GATE_POLICY,
  evaluateGate,
  formatQualityText,
  scoreSbom,
} from '../../../src/sbom/quality/index.js';
import { sample, samplePath } from './samples.js';

const NOW = new Date('2025-06-01T00:00:00Z');
const SAMPLES = [
  ['keycloak-10.0.2', 'bom.json'],
  ['juice-shop', 'v11.1.2', 'bom.json'],
  ['dropwizard-1.3.15', 'bom.json'],
  ['laravel-7.12.0', 'bom.1.4.json'],
  ['protonmail-webclient-v4-0912dff', 'bom.json'],
];

describe('scoreSbom on real SBOMs (parseSbom + validateSbom)', () => {
  for (const parts of SAMPLES) {
    it(`${parts.join('/')}: a score in 0..10 whose failures name real components`, async () => {
      const d = sample(...parts);
      const v = await validateSbom(new Uint8Array(readFileSync(samplePath(...parts))));
      const report = scoreSbom(d, {
        now: NOW,
        schemaValid: v.valid,
        schemaErrors: v.errors.length,
      });
      assert.ok(report.score > 0 && report.score <= 10, String(report.score));
      const refs = new Set(d.components.map((c) => c.ref));
      for (const c of allChecks(report)) {
        for (const f of c.failing) assert.ok(refs.has(f.ref), `${c.id} ${f.ref}`);
      }
      assert.match(formatQualityText(report), /^SBOM quality: /);
    });
  }

  it('keycloak 10.0.2 scores a plausible, explained 8.0', () => {
    const d = sample('keycloak-10.0.2', 'bom.json');
    const report = scoreSbom(d, { now: NOW });
    assert.equal(report.components, 903);
    assert.equal(report.score, 8);
    const byId = new Map(allChecks(report).map((c) => [c.id, c]));
    // Maven plugin output: purls, versions, strong hashes and a dependency graph everywhere.
    assert.equal(byId.get('integrity.strong-hash')?.score, 10);
    assert.equal(byId.get('identification.purl')?.score, 10);
    assert.equal(byId.get('structure.exact-versions')?.score, 10);
    // No supplier on any component (only `publisher`, which the model does not carry).
    assert.equal(byId.get('ntia.supplier')?.score, 0);
    // Written in 2020: stale.
    assert.equal(byId.get('freshness.timestamp-age')?.score, 0);
    // Free-text licences such as "Bouncy Castle Licence" are not SPDX.
    const invalid = byId.get('licensing.valid-spdx')?.failing.map((f) => f.label) ?? [];
    assert.ok(invalid.includes('org.bouncycastle/bcprov-jdk15on@1.62'));
    // Only the tool is named as author.
    assert.equal(byId.get('ntia.author')?.score, 5);
    // The default gate passes it, flagging the free-text licences for follow-up.
    const gate = evaluateGate(
      scoreSbom(d, { now: NOW, schemaValid: true }),
      d,
      DEFAULT_GATE_POLICY,
    );
    assert.equal(gate.passed, true, JSON.stringify(gate.failures));
    assert.deepEqual(
      gate.warnings.map((f) => f.check),
      ['licensing.valid-spdx'],
    );
    assert.equal(gate.warnings[0]?.components.length, 80);
  });
});
