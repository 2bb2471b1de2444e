import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseVers, versContains } from '../../../src/core/vers/index.js';

describe('versContains', () => {
  const lodash = parseVers('vers:npm/>=4.0.0|<4.17.21');
  const cases: [string, boolean][] = [
    ['3.10.1', false],
    ['4.0.0', true],
    ['4.17.20', true],
    ['4.17.21', false],
    ['5.0.0', false],
  ];
  for (const [v, expected] of cases) {
    it(`${v} in ${'>=4.0.0|<4.17.21'} is ${expected}`, () =>
      assert.equal(versContains(lodash, v), expected));
  }

  it('handles single versions, exclusions and open ends', () => {
    const r = parseVers('vers:npm/1.2.3|>=2.0.0|!=2.5.0|<5.0.0|>=6.0.0');
    const expect: [string, boolean][] = [
      ['1.2.3', true],
      ['1.2.4', false],
      ['2.0.0', true],
      ['2.5.0', false],
      ['4.9.9', true],
      ['5.0.0', false],
      ['5.5.0', false],
      ['6.0.0', true],
      ['99.0.0', true],
    ];
    for (const [v, e] of expect) assert.equal(versContains(r, v), e, v);
  });

  it('reads a lone bound as open-ended', () => {
    assert.equal(versContains(parseVers('vers:pypi/>0.0.2'), '0.0.3'), true);
    assert.equal(versContains(parseVers('vers:pypi/<=1.0'), '1.0.0'), true);
    assert.equal(versContains(parseVers('vers:pypi/<=1.0'), '1.0.post1'), false);
    assert.equal(versContains(parseVers('vers:pypi/!=1.0'), '2.0'), false);
  });

  it('uses the scheme to decide equality (maven "1.0" is "1")', () => {
    assert.equal(versContains(parseVers('vers:maven/1'), '1.0.0'), true);
    assert.equal(versContains(parseVers('vers:deb/>=1:1.0|<1:2.0'), '1.5'), false);
    assert.equal(versContains(parseVers('vers:deb/>=1:1.0|<1:2.0'), '1:1.5-2'), true);
  });

  it('filters many versions through one parsed range quickly', () => {
    const versions = Array.from({ length: 50_000 }, (_, i) => `4.${i % 30}.${i % 97}`);
    const start = performance.now();
    let n = 0;
    for (const v of versions) if (versContains(lodash, v)) n++;
    const ms = performance.now() - start;
    assert.ok(n > 0);
    assert.ok(ms < 2_000, `50k checks took ${ms.toFixed(0)} ms`);
  });
});
