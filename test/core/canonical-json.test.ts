import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalize } from '../../src/core/canonical-json.js';

describe('canonicalize (RFC 8785)', () => {
  it('sorts keys and drops whitespace', () => {
    assert.equal(
      canonicalize({ b: 1, a: [true, null, 'x'], c: { z: 1, y: 2 } }),
      '{"a":[true,null,"x"],"b":1,"c":{"y":2,"z":1}}',
    );
  });
  it('matches the RFC 8785 number examples', () => {
    assert.equal(
      canonicalize([1e21, 1e-7, -0, 333333333.3333333]),
      '[1e+21,1e-7,0,333333333.3333333]',
    );
  });
  it('is idempotent and round-trips through JSON.parse', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const once = canonicalize(v);
        assert.equal(canonicalize(JSON.parse(once)), once);
      }),
    );
  });
});
