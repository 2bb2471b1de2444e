import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VexDocument } from '../../src/formats/index.js';
import { vexStatusLookup } from '../../src/vex/index.js';

const doc = (
  statements: VexDocument['statements'],
  timestamp = '2024-01-01T00:00:00Z',
): VexDocument => ({
  id: 'urn:test',
  timestamp,
  statements,
});

describe('vexStatusLookup (custody vuln match --vex)', () => {
  const lookup = vexStatusLookup([
    doc([
      {
        vulnerability: 'CVE-2021-23337',
        aliases: ['GHSA-35jh-r3h4-6jhm'],
        products: [{ purl: 'pkg:npm/app@1.0.0', subcomponents: ['pkg:npm/lodash@4.17.20'] }],
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
      },
      {
        vulnerability: 'CVE-2020-28500',
        products: [{ purl: 'pkg:npm/lodash', versions: { range: 'vers:npm/>=4.0.0|<4.17.21' } }],
        status: 'affected',
        actionStatement: 'upgrade',
      },
    ]),
  ]);

  it('a subcomponent at that version, found by an alias in any case', () => {
    assert.equal(lookup('pkg:npm/lodash@4.17.20', ['ghsa-35jh-r3h4-6jhm']), 'not_affected');
    assert.equal(lookup('pkg:npm/lodash@4.17.20', ['CVE-2021-23337']), 'not_affected');
  });

  it('another version, another package or another advisory: no statement', () => {
    assert.equal(lookup('pkg:npm/lodash@4.17.19', ['CVE-2021-23337']), undefined);
    assert.equal(lookup('pkg:npm/underscore@4.17.20', ['CVE-2021-23337']), undefined);
    assert.equal(lookup('pkg:npm/lodash@4.17.20', ['CVE-2099-0001']), undefined);
  });

  it('a product with a vers range covers the versions in it only', () => {
    assert.equal(lookup('pkg:npm/lodash@4.17.20', ['CVE-2020-28500']), 'affected');
    assert.equal(lookup('pkg:npm/lodash@4.17.21', ['CVE-2020-28500']), undefined);
  });

  it('the newest statement wins; a malformed product purl covers nothing', () => {
    const s = (status: 'affected' | 'fixed', timestamp: string) => ({
      vulnerability: 'CVE-1',
      products: [{ purl: 'pkg:npm/x@1.0.0' }],
      status,
      timestamp,
      ...(status === 'affected' ? { actionStatement: 'wait' } : {}),
    });
    const l = vexStatusLookup([
      doc([s('fixed', '2024-02-01T00:00:00Z'), s('affected', '2024-01-01T00:00:00Z')]),
      doc([
        {
          vulnerability: 'CVE-1',
          products: [{ purl: 'not a purl' }],
          status: 'not_affected',
          justification: 'component_not_present',
        },
      ]),
    ]);
    assert.equal(l('pkg:npm/x@1.0.0', ['CVE-1']), 'fixed');
  });
});
