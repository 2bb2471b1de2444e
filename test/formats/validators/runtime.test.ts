import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalize } from '../../../src/core/index.js';
import { PATTERN_REWRITES } from '../../../src/formats/validators/pattern-rewrites.js';
import { equal, findDuplicate, isIdnEmail } from '../../../src/formats/validators/runtime.js';

// Naive oracle: ajv's own pairwise uniqueItems.
function naiveDuplicate(items: unknown[]): boolean {
  for (let i = 0; i < items.length; i++) {
    for (let j = 0; j < i; j++) if (equal(items[i], items[j])) return true;
  }
  return false;
}

const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false, 0, 1, 'a', 'b', '1'),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'name'), tie('value'), {
      maxKeys: 3,
      noNullPrototype: true,
    }),
  ),
})).value;

describe('findDuplicate', () => {
  it('agrees with pairwise deep equality on arbitrary JSON arrays, short and long', () => {
    fc.assert(
      fc.property(fc.array(json, { maxLength: 30 }), (items) => {
        const found = findDuplicate(items);
        assert.equal(found !== undefined, naiveDuplicate(items));
        if (found) {
          const [j, i] = found;
          assert.ok(j < i && equal(items[j], items[i]));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('finds equal objects whose keys are in another order', () => {
    const items = Array.from({ length: 20 }, (_, i) => ({ name: `n${i}`, v: { x: 1, y: [i] } }));
    items.push({ v: { y: [3], x: 1 }, name: 'n3' } as never);
    assert.deepEqual(findDuplicate(items), [3, 20]);
  });
});

describe('isIdnEmail', () => {
  it('accepts internationalised addresses and rejects malformed ones', () => {
    for (const ok of [
      'a@example.com',
      'josé@exämple.de',
      'first.last+tag@sub.example.org',
      '"a b"@x.io',
      'u@[127.0.0.1]',
    ]) {
      assert.equal(isIdnEmail(ok), true, ok);
    }
    for (const bad of [
      '',
      'a',
      '@x.com',
      'a@',
      'a b@x.com',
      'a..b@x.com',
      'a@-x.com',
      'a@x..com',
    ]) {
      assert.equal(isIdnEmail(bad), false, bad);
    }
  });
});

describe('pattern rewrites used when precompiling', () => {
  it('each rewrite accepts exactly the strings its original does', () => {
    const hex = '0123456789abcdefABCDEF';
    const chars = `${hex}gG-`;
    for (const [from, to] of Object.entries(PATTERN_REWRITES)) {
      const a = new RegExp(from, 'u');
      const b = new RegExp(to, 'u');
      for (let len = 0; len <= 140; len++) {
        const s = Array.from({ length: len }, (_, i) => hex[(i * 7) % hex.length]).join('');
        assert.equal(b.test(s), a.test(s), `length ${len}`);
      }
      fc.assert(
        fc.property(fc.string({ unit: fc.constantFrom(...chars), maxLength: 140 }), (s) => {
          assert.equal(b.test(s), a.test(s));
        }),
        { numRuns: 2000 },
      );
    }
  });
});

describe('equal (JSON deep equality for const, enum, uniqueItems)', () => {
  it('agrees with comparing canonical JSON, on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        assert.equal(equal(a, b), canonicalize(a) === canonicalize(b));
        assert.equal(equal(a, structuredClone(a)), true);
      }),
    );
  });

  it('takes objects with members named toString or valueOf (fast-deep-equal throws on them)', () => {
    assert.equal(equal({ toString: false }, { toString: false }), true);
    assert.equal(equal({ valueOf: 1 }, { valueOf: 2 }), false);
    assert.deepEqual(findDuplicate([{ toString: false }, { a: 1 }, { toString: false }]), [0, 2]);
  });
});
