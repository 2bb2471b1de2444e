import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compileLinearRegex } from '../../src/policy/cel/linear-regex.js';
import { PolicyError } from '../../src/policy/index.js';
import { expectCustodyError } from '../helpers/expect-error.js';

const re = (p: string) => compileLinearRegex(p, 'r');

describe('the linear-time matcher behind matches()', () => {
  it('matches like RE2 on the common syntax', () => {
    const cases: [string, string, boolean][] = [
      ['^v[0-9]+\\.[0-9]+$', 'v1.22', true],
      ['^v[0-9]+\\.[0-9]+$', 'v1.22-rc', false],
      ['acme', 'https://github.com/acme/shop', true],
      ['^https://github\\.com/(acme|example)/', 'https://github.com/example/x', true],
      ['^https://github\\.com/(?:acme|example)/', 'https://github.com/other/x', false],
      ['^[^@]+@[a-z.]+$', 'dev@example.com', true],
      ['^\\d{2,3}$', '1234', false],
      ['^\\d{2,3}$', '123', true],
      ['^(ab)*c?$', 'ababab', true],
      ['^.$', '\n', false],
      ['^[\\]a-]+$', ']-a', true],
      ['^\\w+\\s\\S$', 'a_1 x', true],
      ['^(?P<x>a)b(?<y>c)$', 'abc', true],
      ['', 'anything', true],
      ['^$', '', true],
      ['x*?y', 'xxy', true],
      ['^é+$', 'éé', true],
    ];
    for (const [p, s, want] of cases)
      assert.equal(re(p).test(s), want, `${p} on ${JSON.stringify(s)}`);
  });

  it('runs backtracking killers in linear time', () => {
    const aaa = 'a'.repeat(4096);
    for (const p of [
      'a*a*b',
      'a*a*a*a*b',
      '^(a|a)*$x',
      '(a*)*b',
      '(.*a){20}$x',
      '^(\\w+\\s?)*$!',
    ]) {
      const t = performance.now();
      assert.equal(re(p).test(`${aaa}!`), false, p);
      assert.ok(performance.now() - t < 2000, `${p}: ${performance.now() - t} ms`);
    }
  });

  it('refuses what it does not run, and programs over the cap', () => {
    for (const p of [
      '(?i)abc',
      '\\bword',
      '(a)\\1',
      '(?=a)',
      'a{2,1}',
      '[b-a]',
      '(a',
      'a)',
      '*a',
      'a\\',
    ])
      expectCustodyError(() => re(p), PolicyError, 'POLICY_COMPILE_FAILED');
    expectCustodyError(() => re('(a{100}){100}'), PolicyError, 'POLICY_TOO_COSTLY');
  });

  it('agrees with JavaScript RegExp on random patterns of the common syntax (fast-check)', () => {
    const atom = fc.constantFrom('a', 'b', '.', '[ab]', '[^a]', '\\d', '1', '-', '\\w', '\\.');
    const piece = fc
      .tuple(atom, fc.constantFrom('', '*', '+', '?', '{1,2}', '{2}', '*?'))
      .map(([a, q]) => a + q);
    const pattern: fc.Arbitrary<string> = fc.letrec<{ p: string }>((tie) => ({
      p: fc.oneof(
        { depthSize: 'small' },
        fc.array(piece, { maxLength: 5 }).map((xs) => xs.join('')),
        fc.tuple(tie('p'), tie('p')).map(([x, y]) => `${x}|${y}`),
        fc.tuple(tie('p'), fc.constantFrom('', '?', '*')).map(([x, q]) => `(${x})${q}`),
        fc
          .tuple(fc.constantFrom('^', ''), tie('p'), fc.constantFrom('$', ''))
          .map(([a, x, b]) => a + x + b),
      ),
    })).p;
    const subject = fc.stringMatching(/^[ab1\-._ ]{0,12}$/);
    fc.assert(
      fc.property(pattern, fc.array(subject, { maxLength: 5 }), (p, subjects) => {
        const ours = re(p);
        const js = new RegExp(p);
        for (const s of subjects)
          assert.equal(ours.test(s), js.test(s), `${p} on ${JSON.stringify(s)}`);
      }),
      { numRuns: 500 },
    );
  });
});
