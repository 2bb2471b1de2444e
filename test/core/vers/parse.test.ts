import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  assertVersRange,
  compareVersions as compare,
  formatVers,
  MAX_VERS_LENGTH,
  parseVers,
  VersError,
  versContains,
} from '../../../src/core/vers/index.js';
import { expectCustodyError } from '../../helpers/expect-error.js';

describe('parseVers', () => {
  it('reads type and constraints', () => {
    const r = parseVers('vers:npm/1.2.3|>=2.0.0|<5.0.0');
    assert.equal(r.scheme, 'npm');
    assert.deepEqual(r.constraints, [
      { comparator: '=', version: '1.2.3' },
      { comparator: '>=', version: '2.0.0' },
      { comparator: '<', version: '5.0.0' },
    ]);
  });

  it('reads "*" alone', () => {
    assert.deepEqual(parseVers('vers:deb/*').constraints, [{ comparator: '*', version: '' }]);
    expectCustodyError(() => parseVers('vers:deb/*|1.0'), VersError, 'VERS_INVALID');
  });

  describe('when the input is not canonical', () => {
    const cases: [string, string][] = [
      ['vers:npm/>=1.0.0 |<2.0.0', 'VERS_NON_CANONICAL'],
      ['VERS:npm/1.0.0', 'VERS_NON_CANONICAL'],
      ['vers:NPM/1.0.0', 'VERS_NON_CANONICAL'],
      ['vers:npm/=1.0.0', 'VERS_NON_CANONICAL'],
      ['vers:npm/1.0.0|1.0.0', 'VERS_NON_CANONICAL'],
      ['vers:pypi/1.0|1.0.0', 'VERS_NON_CANONICAL'],
      ['vers:npm/<1.0.0|<2.0.0', 'VERS_NON_CANONICAL'],
      ['vers:npm/>1.0.0|2.0.0', 'VERS_NON_CANONICAL'],
      ['vers:npm/1.0.0|<2.0.0', 'VERS_NON_CANONICAL'],
      ['vers:npm/1.0%3a0', 'VERS_NON_CANONICAL'],
    ];
    for (const [input, code] of cases) {
      it(`rejects ${input} with ${code}`, () => {
        expectCustodyError(() => parseVers(input), VersError, code);
      });
    }
  });

  describe('when the input is invalid', () => {
    const cases: [string, string][] = [
      ['npm/1.0.0', 'VERS_INVALID'],
      ['pkg:npm/1.0.0', 'VERS_INVALID'],
      ['vers:npm', 'VERS_INVALID'],
      ['vers:npm/', 'VERS_INVALID'],
      ['vers:1npm/1.0', 'VERS_INVALID'],
      ['vers:npm/>=', 'VERS_INVALID'],
      ['vers:npm/1.0%ZZ', 'VERS_INVALID'],
      ['vers:npm/1.0%FF', 'VERS_INVALID'],
      ['vers:npm/1.0é', 'VERS_INVALID'],
      ['vers:cobol/1.0', 'VERS_SCHEME_UNSUPPORTED'],
      [`vers:npm/${'1'.repeat(MAX_VERS_LENGTH)}`, 'VERS_TOO_LARGE'],
      [
        `vers:npm/${Array.from({ length: 1001 }, (_, i) => `0.0.${i}`).join('|')}`,
        'VERS_TOO_LARGE',
      ],
    ];
    for (const [input, code] of cases) {
      it(`rejects ${input.slice(0, 40)} with ${code}`, () => {
        expectCustodyError(() => parseVers(input), VersError, code);
      });
    }
  });

  it('normalises the form on request, without judging the comparator sequence', () => {
    const r = parseVers(' VERS:NPM/ <2.0.0 | =1.0.0 || >=1.5.0 ', { normalize: true });
    assert.equal(formatVers(r), 'vers:npm/1.0.0|>=1.5.0|<2.0.0');
    expectCustodyError(
      () => assertVersRange(parseVers('vers:npm/>1|>2', { normalize: true })),
      VersError,
      'VERS_NON_CANONICAL',
    );
    assert.doesNotThrow(() => assertVersRange(r));
  });

  it('decodes percent-encoding once and re-encodes canonically', () => {
    const r = parseVers('vers:generic/1.0%7C2%25');
    assert.equal(r.constraints[0]?.version, '1.0|2%');
    assert.equal(formatVers(r), 'vers:generic/1.0%7C2%25');
    assert.equal(
      formatVers({ scheme: 'generic', constraints: [{ comparator: '=', version: 'é' }] }),
      'vers:generic/%C3%A9',
    );
  });

  it('formats "*" and sorts hand-built ranges', () => {
    assert.equal(
      formatVers({ scheme: 'PyPI', constraints: [{ comparator: '*', version: '' }] }),
      'vers:pypi/*',
    );
    assert.equal(
      formatVers({
        scheme: 'maven',
        constraints: [
          { comparator: '<', version: '2.0' },
          { comparator: '>=', version: '1.0-beta' },
        ],
      }),
      'vers:maven/>=1.0-beta|<2.0',
    );
  });

  it('round-trips: format(parse(x)) is x for canonical ranges built from sorted versions', () => {
    const version = fc
      .tuple(fc.nat(40), fc.nat(40), fc.nat(40), fc.constantFrom('', '-alpha', '-rc.1', '-beta.2'))
      .map(([a, b, c, p]) => `${a}.${b}.${c}${p}`);
    const ops = fc.constantFrom('=', '!=', '<', '<=', '>', '>=');
    fc.assert(
      fc.property(
        fc.uniqueArray(version, { minLength: 1, maxLength: 8 }),
        fc.array(ops, { minLength: 8, maxLength: 8 }),
        (versions, opList) => {
          const sorted = [...versions].sort((a, b) => compare('npm', a, b));
          const constraints = sorted.map((v, i) => ({ comparator: opList[i] as '=', version: v }));
          const text = formatVers({ scheme: 'npm', constraints });
          let parsed: ReturnType<typeof parseVers>;
          try {
            parsed = parseVers(text);
          } catch (e) {
            // Only the comparator sequence may be rejected; the form itself is canonical.
            assert.ok(e instanceof VersError && e.code === 'VERS_NON_CANONICAL', String(e));
            parsed = parseVers(text, { normalize: true });
          }
          assert.equal(formatVers(parsed), text);
          assert.deepEqual(parsed.constraints, constraints);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fails only with VersError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.boolean(), (s, normalize) => {
        for (const text of [s, `vers:npm/${s}`, `vers:pypi/${s}`]) {
          try {
            const r = parseVers(text, { normalize });
            versContains(r, '1.0.0');
          } catch (e) {
            assert.ok(e instanceof VersError, String(e));
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
