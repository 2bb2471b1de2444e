import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compareVersions, ecosystemScheme, VersError } from '../../../src/core/vers/index.js';
import { expectCustodyError } from '../../helpers/expect-error.js';

/** Each list is in ascending order; neighbours joined by '=' are equal. */
const ORDERS: Record<string, string[]> = {
  npm: [
    '0.9.0',
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-beta',
    '1.0.0-rc.1',
    '1.0.0',
    '=1.0.0',
    '1.2',
    '1.10.0',
    '2.0.0',
  ],
  cargo: ['0.1.0', '1.0.0-alpha', '1.0.0', '1.0.0+build.1', '1.0.1'],
  golang: [
    'v0.0.0-20191109021931-daa7c04131f5',
    'v0.1.0',
    'v1.0.0-rc.1',
    'v1.0.0',
    'v2.0.0+incompatible',
    'v2.1.0',
  ],
  pypi: [
    '1.0.dev1',
    '1.0a1.dev1',
    '1.0a1',
    '1.0b2',
    '1.0rc1',
    '1.0',
    '1.0.0',
    '1.0+local.1',
    '1.0.post1.dev1',
    '1.0.post1',
    '1.1',
    '1!0.1',
  ],
  gem: ['1.0.a', '1.0.b1', '1.0.rc1', '1.0', '1.0.0', '1.0.1', '1.1', '2.0-1'],
  deb: ['~1.0', '1.0~rc1', '1.0', '1.0-1', '1.0-1ubuntu1', '1.0+b1', '1.0.1', '1:0.9', '2:0.1'],
  rpm: ['1.0~rc1', '1.0', '1.0^git1', '1.0a', '1.0.1-2', '1.0.1-10', '1:0.1'],
  composer: [
    '1.0.0-dev',
    '1.0.0-alpha1',
    '1.0.0-beta2',
    '1.0.0-RC1',
    '1.0.0',
    'v1.0.0',
    '1.0.0-pl1',
    '1.0.1',
  ],
  generic: ['1.0-alpha', '1.0', '1.0.1', '1.0.10', '1.1'],
};

function assertOrder(scheme: string, list: string[]): void {
  for (let i = 1; i < list.length; i++) {
    const a = list[i - 1] as string;
    const b = list[i] as string;
    const expected = equalPairs[scheme]?.has(`${a}|${b}`) ? 0 : -1;
    assert.equal(compareVersions(scheme, a, b), expected, `${scheme}: ${a} vs ${b}`);
    assert.equal(compareVersions(scheme, b, a), expected === 0 ? 0 : 1, `${scheme}: ${b} vs ${a}`);
  }
}

const equalPairs: Record<string, Set<string>> = {
  npm: new Set(['1.0.0|=1.0.0']),
  cargo: new Set(['1.0.0|1.0.0+build.1']),
  pypi: new Set(['1.0|1.0.0']),
  gem: new Set(['1.0|1.0.0']),
  composer: new Set(['1.0.0|v1.0.0']),
};

describe('compareVersions', () => {
  for (const [scheme, list] of Object.entries(ORDERS)) {
    it(`orders ${scheme} versions`, () => assertOrder(scheme, list));
  }

  it('rejects an unknown scheme', () => {
    expectCustodyError(
      () => compareVersions('cobol', '1', '2'),
      VersError,
      'VERS_SCHEME_UNSUPPORTED',
    );
  });

  it('sorts strings that are not versions of the scheme below valid ones, without throwing', () => {
    assert.equal(compareVersions('pypi', 'not a version', '0.0.1'), -1);
    assert.equal(compareVersions('npm', 'banana', '0.0.1'), -1);
    assert.equal(compareVersions('maven', '', ''), 0);
  });

  it('accepts apk as a name for the alpine scheme', () => {
    assert.equal(compareVersions('apk', '1.0_rc1', '1.0'), -1);
  });

  describe('properties', () => {
    const num = fc.integer({ min: 0, max: 30 });
    const pre = fc.constantFrom('', '-alpha', '-alpha.1', '-beta', '-rc.1', '-rc.2');
    const semverArb = fc.tuple(num, num, num, pre).map(([a, b, c, p]) => `${a}.${b}.${c}${p}`);
    const looseArb = fc
      .array(
        fc.oneof(
          num.map(String),
          fc.constantFrom('a', 'b', 'rc', 'alpha', 'beta', 'dev', 'post', 'p', 'r', 'sp'),
        ),
        {
          minLength: 1,
          maxLength: 5,
        },
      )
      .chain((parts) =>
        fc
          .array(fc.constantFrom('.', '-', '_', '', '~', '+'), {
            minLength: parts.length,
            maxLength: parts.length,
          })
          .map((seps) => parts.map((p, i) => (i === 0 ? p : `${seps[i]}${p}`)).join('')),
      );
    const schemes = [
      'npm',
      'cargo',
      'pypi',
      'maven',
      'nuget',
      'gem',
      'deb',
      'rpm',
      'alpine',
      'alpm',
      'gentoo',
      'conan',
      'composer',
      'generic',
      'openssl',
      'lexicographic',
    ];

    for (const scheme of schemes) {
      it(`${scheme}: antisymmetric and transitive`, () => {
        // Conan compares an integer item with a text item as text, which is not transitive
        // ("2" < "10" < "10_a" < "2"); it is checked on semver-shaped versions only.
        const arb = ['npm', 'cargo', 'conan'].includes(scheme)
          ? semverArb
          : fc.oneof(semverArb, looseArb);
        fc.assert(
          fc.property(arb, arb, arb, (a, b, c) => {
            const ab = compareVersions(scheme, a, b);
            assert.equal(compareVersions(scheme, b, a), ab === 0 ? 0 : -ab, `${a} ${b}`);
            assert.equal(compareVersions(scheme, a, a), 0);
            const bc = compareVersions(scheme, b, c);
            if (ab <= 0 && bc <= 0)
              assert.ok(compareVersions(scheme, a, c) <= 0, `${a} <= ${b} <= ${c}`);
          }),
          { numRuns: 300 },
        );
      });
    }
  });
});

describe('ecosystemScheme', () => {
  it('maps purl types to vers types', () => {
    const cases: Record<string, string> = {
      npm: 'npm',
      pypi: 'pypi',
      maven: 'maven',
      golang: 'golang',
      cargo: 'cargo',
      gem: 'gem',
      nuget: 'nuget',
      deb: 'deb',
      apk: 'alpine',
      rpm: 'rpm',
      composer: 'composer',
      conan: 'conan',
      alpm: 'alpm',
      github: 'generic',
      docker: 'generic',
      NPM: 'npm',
    };
    for (const [purl, vers] of Object.entries(cases))
      assert.equal(ecosystemScheme(purl), vers, purl);
  });
});
