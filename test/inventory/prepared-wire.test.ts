import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prepareSbom } from '../../src/inventory/prepare-sbom.js';
import { DEFAULT_GATE_POLICY } from '../../src/sbom/quality/index.js';
import { preparedFromWire, preparedToWire } from '../../src/workers/prepare-wire.js';

// The prepare worker posts a PreparedSbom as JSON text (workers/prepare-wire.ts); what arrives
// must be the very value the in-process path computes, optional fields and all.
describe('PreparedSbom across threads (JSON wire form)', () => {
  const doc = {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    metadata: { component: { type: 'application', name: 'app', version: '1.0.0' } },
    components: [
      { type: 'library', name: 'no-purl', version: '1.0' },
      {
        type: 'library',
        name: 'left-pad',
        version: '1.3.0',
        purl: 'pkg:npm/left-pad@1.3.0',
        licenses: [{ license: { id: 'MIT' } }],
        hashes: [{ alg: 'SHA-256', content: 'ab'.repeat(32) }],
      },
      {
        type: 'library',
        name: 'dual',
        version: '2.0.0',
        purl: 'pkg:npm/dual@2.0.0',
        licenses: [{ expression: 'Apache-2.0 OR BSD-3-Clause' }],
      },
      { type: 'library', name: 'bad', version: '1', purl: 'pkg:npm/%zz@1' },
    ],
  };
  const bytes = new TextEncoder().encode(JSON.stringify(doc));

  it('arrives equal to the in-process result, gate failures and warnings included', async () => {
    const p = await prepareSbom(bytes, '2026-01-01T00:00:00.000Z', DEFAULT_GATE_POLICY);
    const back = preparedFromWire(preparedToWire(p));
    assert.deepStrictEqual(back, p);
    assert.deepStrictEqual(back.quality.categories, p.quality.categories);
    assert.ok(back.quality.categories.length > 0);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(back)), JSON.parse(JSON.stringify(p)));
  });

  it('lets the categories be replaced like any property', async () => {
    const back = preparedFromWire(
      preparedToWire(await prepareSbom(bytes, '2026-01-01T00:00:00.000Z', DEFAULT_GATE_POLICY)),
    );
    back.quality.categories = [];
    assert.deepStrictEqual(back.quality.categories, []);
  });
});
