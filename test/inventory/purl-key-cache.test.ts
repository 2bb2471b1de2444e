import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { purlKey } from '../../src/inventory/index-rows.js';

// purlKey remembers its answers (index-rows.ts): a repeated purl must get the same answer as the
// first time, invalid ones included, and no caller may change what the next one gets.
describe('purlKey on purls seen before', () => {
  it('answers a repeat exactly as the first time, for valid and invalid purls', () => {
    for (const purl of ['pkg:npm/%40babel/core@7.0.0', 'pkg:npm/%zz@1', 'not a purl']) {
      const first = purlKey(purl);
      assert.deepEqual(purlKey(purl), first);
    }
    assert.deepEqual(purlKey('pkg:npm/%40babel/core@7.0.0'), {
      purl: 'pkg:npm/%40babel/core@7.0.0',
      package: 'pkg:npm/%40babel/core',
      type: 'npm',
      version: '7.0.0',
    });
    assert.equal(purlKey('pkg:npm/%zz@1'), undefined);
  });

  it('does not let one caller change the answer the next one gets', () => {
    const k = purlKey('pkg:pypi/requests@2.31.0');
    assert.ok(k);
    assert.throws(() => {
      (k as { package: string }).package = 'changed';
    }, TypeError);
    assert.equal(purlKey('pkg:pypi/requests@2.31.0')?.package, 'pkg:pypi/requests');
  });
});
