import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compileImagePattern, matchesImagePattern } from '../../src/admission/image-pattern.js';

describe('image patterns', () => {
  const cases: [string, string, boolean][] = [
    ['ghcr.io/acme/web:1.2', 'ghcr.io/acme/web:1.2', true],
    ['ghcr.io/acme/web:1.*', 'ghcr.io/acme/web:1.9', true],
    ['ghcr.io/acme/web:1.*', 'ghcr.io/acme/web:2.0', false],
    // no tag in the pattern: the repository under any tag
    ['ghcr.io/acme/web', 'ghcr.io/acme/web:1.2', true],
    ['ghcr.io/acme/web', 'ghcr.io/acme/web', true],
    ['ghcr.io/acme/*', 'ghcr.io/acme/web:1.2', true],
    // * stays within a segment
    ['ghcr.io/*', 'ghcr.io/acme/web:1', false],
    ['ghcr.io/*/web', 'ghcr.io/acme/web:1', true],
    ['ghcr.io/*/web', 'ghcr.io/acme/team/web:1', false],
    // ** crosses segments, and **/ may match none
    ['ghcr.io/**', 'ghcr.io/acme/team/web:1', true],
    ['ghcr.io/**/web', 'ghcr.io/acme/team/web:1', true],
    ['ghcr.io/**/web', 'ghcr.io/web:1', true],
    ['ghcr.io/**/web', 'ghcr.io/acme/webby:1', false],
    // the digest is not looked at
    ['ghcr.io/acme/web:1.2', `ghcr.io/acme/web:1.2@sha256:${'a'.repeat(64)}`, true],
    ['ghcr.io/acme/web', `ghcr.io/acme/web@sha256:${'a'.repeat(64)}`, true],
    // a registry port is not a tag
    ['localhost:5000/app', 'localhost:5000/app:3', true],
    ['localhost:5000/app:*', 'localhost:5000/app', false],
    ['other.io/acme/web', 'ghcr.io/acme/web:1', false],
    ['ghcr.io/acme/web', 'ghcr.io/acme/website:1', false],
  ];
  for (const [p, s, want] of cases)
    it(`${p} ${want ? 'matches' : 'does not match'} ${s}`, () => {
      assert.equal(matchesImagePattern(p, s), want);
    });

  it('refuses malformed patterns with a code', () => {
    for (const p of [
      '',
      'a'.repeat(300),
      'ghcr.io/a b',
      'ghcr.io/***',
      'ghcr.io//x',
      '/x',
      'x@sha256:ab',
      'x/(a|b)',
    ])
      assert.throws(() => compileImagePattern(p), { code: 'ADMISSION_PATTERN_INVALID' }, p);
  });

  it('agrees with a reference matcher (property)', () => {
    const seg = fc.stringMatching(/^[a-c.*:]{0,4}$/);
    const pattern = fc
      .array(fc.oneof(seg, fc.constant('**')), { minLength: 1, maxLength: 4 })
      .map((xs) => xs.join('/'))
      .filter((p) => {
        try {
          compileImagePattern(p);
          return true;
        } catch {
          return false;
        }
      });
    const subject = fc
      .array(fc.stringMatching(/^[a-c.:]{1,4}$/), { minLength: 1, maxLength: 4 })
      .map((xs) => xs.join('/'));
    fc.assert(
      fc.property(pattern, subject, (p, s) => {
        assert.equal(compileImagePattern(p).test(s), reference(p, s), `${p} vs ${s}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('takes linear time on the shapes that make backtracking matchers explode', () => {
    const p = `${'*a'.repeat(40)}b`;
    const s = 'a'.repeat(200_000);
    const t0 = performance.now();
    assert.equal(compileImagePattern(p).test(s), false);
    const p2 = `${'**a'.repeat(40)}b`;
    assert.equal(compileImagePattern(p2).test(`${'a/'.repeat(50_000)}`), false);
    assert.ok(performance.now() - t0 < 5000, 'matching took too long');
  });
});

/** A deliberately naive recursive matcher (exponential, fine for tiny inputs) as the oracle. */
function reference(pattern: string, image: string): boolean {
  const last = pattern.slice(pattern.lastIndexOf('/') + 1);
  let s = image.split('@')[0] as string;
  if (!last.includes(':')) {
    const slash = s.lastIndexOf('/');
    const colon = s.lastIndexOf(':');
    if (colon > slash) s = s.slice(0, colon);
  }
  const m = (i: number, j: number): boolean => {
    if (i === pattern.length) return j === s.length;
    if (pattern.startsWith('**/', i) && (i === 0 || pattern[i - 1] === '/')) {
      if (m(i + 3, j)) return true;
      for (let k = j; k < s.length; k++) if (s[k] === '/' && m(i + 3, k + 1)) return true;
      return false;
    }
    if (pattern.startsWith('**', i)) {
      for (let k = j; k <= s.length; k++) if (m(i + 2, k)) return true;
      return false;
    }
    if (pattern[i] === '*') {
      for (let k = j; k <= s.length; k++) {
        if (m(i + 1, k)) return true;
        if (s[k] === '/') break;
      }
      return false;
    }
    return j < s.length && s[j] === pattern[i] && m(i + 1, j + 1);
  };
  return m(0, 0);
}
