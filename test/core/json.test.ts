import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CoreError } from '../../src/core/errors.js';
import { parseJson } from '../../src/core/json.js';
import { expectCustodyError } from '../helpers/expect-error.js';

describe('parseJson', () => {
  it('parses within limits', () => {
    assert.deepEqual(parseJson('{"a":[1,{"b":"[{"}]}', 'x'), { a: [1, { b: '[{' }] });
  });
  it('refuses input past the size limit', () => {
    expectCustodyError(
      () => parseJson('[1,2,3]', 'x', { maxBytes: 3 }),
      CoreError,
      'INPUT_TOO_LARGE',
    );
  });
  it('refuses nesting past the depth limit before JSON.parse recurses', () => {
    expectCustodyError(() => parseJson('['.repeat(100000), 'x'), CoreError, 'INPUT_TOO_DEEP');
  });
  it('reports malformed JSON with a code', () => {
    expectCustodyError(() => parseJson('{"a":', 'x'), CoreError, 'JSON_PARSE');
  });
  it('never throws anything but a CustodyError', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          parseJson(s, 'x', { maxDepth: 8 });
        } catch (e) {
          assert.ok(e instanceof CoreError);
        }
      }),
    );
  });
});
