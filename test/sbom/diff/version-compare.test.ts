import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compareVersionsOf, pairVersions } from '../../../src/sbom/diff/index.js';

/** [lower, higher, ecosystem] */
const ORDERED: [string, string, string][] = [
  ['1.2.3', '1.2.4', 'npm'],
  ['1.9.0', '1.10.0', 'npm'],
  ['1.0.0-rc.1', '1.0.0', 'npm'],
  ['1.0.0-alpha', '1.0.0-alpha.1', 'npm'],
  ['1.0.0-alpha.1', '1.0.0-alpha.beta', 'npm'],
  ['1.0.0-beta.2', '1.0.0-beta.11', 'npm'],
  ['v1.1.30', 'v1.1.41', 'golang'],
  ['v0.0.0-20200707034311-ab3426394381', 'v0.0.0-20210405180319-a5a99cb37ef4', 'golang'],
  ['1.0-SNAPSHOT', '1.0', 'maven'],
  ['2.9', '2.10.1', 'pypi'],
  ['99999999999999999999', '100000000000000000000', 'npm'],
  ['1:1.0-1', '2:0.1-1', 'deb'],
  ['2.0-1', '1:1.0-1', 'deb'],
  ['1.0~rc1-1', '1.0-1', 'deb'],
  ['1.0-1', '1.0-2', 'deb'],
  ['1.0-1', '1.0a-1', 'deb'],
  ['1.0-1ubuntu1', '1.0-1ubuntu2', 'deb'],
  ['1.0+dfsg-1', '1.0.1-1', 'deb'],
  ['alpha', 'beta', 'generic'],
  ['r9', 'r10', 'generic'],
];

describe('compareVersionsOf (core/vers by purl type)', () => {
  for (const [lo, hi, eco] of ORDERED) {
    it(`${eco}: ${lo} < ${hi}`, () => {
      assert.equal(compareVersionsOf(eco, lo, hi), -1);
      assert.equal(compareVersionsOf(eco, hi, lo), 1);
    });
  }

  it('treats missing segments as 0, a leading v and build metadata as nothing', () => {
    assert.equal(compareVersionsOf('npm', '1.0', '1.0.0'), 0);
    assert.equal(compareVersionsOf('golang', 'v1.2.3', '1.2.3'), 0);
    assert.equal(compareVersionsOf('npm', '1.2.3+build.5', '1.2.3+build.7'), 0);
    assert.equal(compareVersionsOf('deb', '0:1.0-1', '1.0-1'), 0);
  });

  it('is antisymmetric', () => {
    const v = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc
        .tuple(fc.nat(20), fc.nat(20), fc.option(fc.constantFrom('-rc.1', '-alpha', '~b1', '-1')))
        .map(([a, b, s]) => `${a}.${b}${s ?? ''}`),
    );
    fc.assert(
      fc.property(v, v, fc.constantFrom('npm', 'deb', 'generic'), (a, b, eco) => {
        assert.equal(compareVersionsOf(eco, a, b), -compareVersionsOf(eco, b, a) || 0);
      }),
    );
  });
});

describe('pairVersions', () => {
  it('pairs exact versions first, then within a major, then highest with highest', () => {
    assert.deepEqual(pairVersions(['1.0.0', '2.0.0'], ['2.0.0', '1.1.0'], 'npm'), {
      pairs: [
        ['2.0.0', '2.0.0'],
        ['1.0.0', '1.1.0'],
      ],
      removed: [],
      added: [],
    });
    assert.deepEqual(pairVersions(['1.0.0', '2.0.0'], ['2.1.0'], 'npm'), {
      pairs: [['2.0.0', '2.1.0']],
      removed: ['1.0.0'],
      added: [],
    });
    assert.deepEqual(pairVersions(['1.0.0'], ['3.0.0', '2.0.0'], 'npm'), {
      pairs: [['1.0.0', '3.0.0']],
      removed: [],
      added: ['2.0.0'],
    });
  });
});
