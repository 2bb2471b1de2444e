import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CoreError } from '../../src/core/errors.js';
import { canonicalPartsOf, serializePurl } from '../../src/core/purl/format.js';
import {
  formatPurl,
  normalizePurl,
  type PurlParts,
  parsePurl,
  purlEquals,
  validatePurl,
} from '../../src/core/purl/index.js';
import { expectCustodyError } from '../helpers/expect-error.js';

const invalid = (fn: () => unknown, message?: RegExp): void => {
  const e = expectCustodyError(fn, CoreError, 'PURL_INVALID');
  if (message) assert.match(e.message, message);
};

describe('formatPurl', () => {
  it('builds a scoped npm purl with the @ of the scope encoded', () => {
    assert.equal(
      formatPurl({ type: 'npm', namespace: '@babel', name: 'core', version: '7.0.0' }),
      'pkg:npm/%40babel/core@7.0.0',
    );
  });

  it('encodes everything outside the allowed set but never the colon', () => {
    assert.equal(
      formatPurl({
        type: 'generic',
        name: 'a b+c~d',
        version: '1:2.0 (ü)',
        qualifiers: { url: 'https://x.org/a?b=c&d#e' },
      }),
      'pkg:generic/a%20b%2Bc~d@1:2.0%20%28%C3%BC%29?url=https:%2F%2Fx.org%2Fa%3Fb%3Dc%26d%23e',
    );
    assert.equal(formatPurl({ type: 'generic', name: '😀' }), 'pkg:generic/%F0%9F%98%80');
  });

  it('lowercases type and keys, sorts qualifiers by key, drops empty values', () => {
    assert.equal(
      formatPurl({
        type: 'Conan',
        name: 'openssl',
        qualifiers: { 'compiler.version': '16', Compiler: 'gcc', empty: '' },
      }),
      'pkg:conan/openssl?compiler=gcc&compiler.version=16',
    );
  });

  it('strips slashes and drops empty, . and .. subpath segments', () => {
    assert.equal(
      formatPurl({
        type: 'golang',
        namespace: '/github.com//gorilla/',
        name: '/context/',
        subpath: '/./api/../v1//',
      }),
      'pkg:golang/github.com/gorilla/context#api/v1',
    );
  });

  it('applies the type definition normalisation', () => {
    assert.equal(formatPurl({ type: 'pypi', name: 'Django_Package' }), 'pkg:pypi/django-package');
    assert.equal(
      formatPurl({ type: 'github', namespace: 'Package-URL', name: 'PURL-Spec' }),
      'pkg:github/package-url/purl-spec',
    );
    assert.equal(formatPurl({ type: 'pub', name: 'Flutter-Foo' }), 'pkg:pub/flutter_foo');
    assert.equal(
      formatPurl({ type: 'cpan', namespace: 'drolsky', name: 'DateTime' }),
      'pkg:cpan/DROLSKY/DateTime',
    );
    assert.equal(
      formatPurl({ type: 'huggingface', namespace: 'A', name: 'B', version: 'ABC' }),
      'pkg:huggingface/A/B@abc',
    );
  });

  it('keeps a git repository path as the name', () => {
    assert.equal(
      formatPurl({ type: 'git', namespace: 'gitlab.gnome.org', name: 'GNOME/adwaita-fonts' }),
      'pkg:git/gitlab.gnome.org/GNOME/adwaita-fonts',
    );
    invalid(() => formatPurl({ type: 'git', namespace: 'a/b', name: 'c' }), /at most 1 segment/);
  });

  it('lowercases mlflow names only on Databricks', () => {
    const url = 'https://adb-1.0.azuredatabricks.net/api/2.0/mlflow';
    assert.equal(
      formatPurl({ type: 'mlflow', name: 'Fraud', qualifiers: { repository_url: url } }),
      `pkg:mlflow/fraud?repository_url=${url.replaceAll('/', '%2F')}`,
    );
    assert.equal(formatPurl({ type: 'mlflow', name: 'Fraud' }), 'pkg:mlflow/Fraud');
  });

  it('accepts unregistered types with the generic rules', () => {
    assert.equal(formatPurl({ type: 'x-Custom', namespace: 'A', name: 'B' }), 'pkg:x-custom/A/B');
  });

  it('refuses parts that break the spec or the type definition, saying why', () => {
    invalid(() => formatPurl({ type: '', name: 'x' }), /needs a type/);
    invalid(() => formatPurl({ type: '3d', name: 'x' }), /must start with a letter/);
    invalid(() => formatPurl({ type: 'npm', name: '' }), /needs a name/);
    invalid(() => formatPurl({ type: 'npm', name: '///' }), /needs a name/);
    invalid(() => formatPurl({ type: 'swift', name: 'Alamofire' }), /needs a namespace/);
    invalid(() => formatPurl({ type: 'cargo', namespace: 'x', name: 'rand' }), /has no namespace/);
    invalid(() => formatPurl({ type: 'julia', name: 'Dates' }), /qualifier "uuid"/);
    invalid(() => formatPurl({ type: 'cpan', name: 'URI::PackageURL' }), /"::"/);
    invalid(() => formatPurl({ type: 'chrome-extension', name: 'dogs' }), /permitted characters/);
    invalid(() =>
      formatPurl({ type: 'swid', namespace: 'a/b/c', name: 'x', qualifiers: { tag_id: '1' } }),
    );
    invalid(
      () => formatPurl({ type: 'npm', name: 'x', qualifiers: { 'in production': 'y' } }),
      /qualifier key/,
    );
    invalid(
      () => formatPurl({ type: 'npm', name: 'x', qualifiers: { A: '1', a: '2' } }),
      /more than once/,
    );
    invalid(() => formatPurl({ type: 'npm', name: '\uD800' }), /surrogate/);
    invalid(() => formatPurl({ type: 'npm', name: 1 } as unknown as PurlParts), /needs a name/);
  });

  it('formats 20,000 components in well under a second', () => {
    const parts: PurlParts[] = Array.from({ length: 20000 }, (_, i) => ({
      type: 'npm',
      ...(i % 3 === 0 ? { namespace: `@scope${i % 50}` } : {}),
      name: `package-${i}`,
      version: `1.${i % 100}.${i % 7}`,
    }));
    const t0 = performance.now();
    for (const p of parts) formatPurl(p);
    const ms = performance.now() - t0;
    assert.ok(ms < 500, `took ${ms.toFixed(1)} ms`);
  });
});

describe('parsePurl', () => {
  it('parses into decoded parts, leaving absent parts out', () => {
    assert.deepEqual(parsePurl('pkg:npm/%40babel/core@7.0.0?a=b%20c#lib/x'), {
      type: 'npm',
      namespace: '@babel',
      name: 'core',
      version: '7.0.0',
      qualifiers: { a: 'b c' },
      subpath: 'lib/x',
    });
    assert.deepEqual(parsePurl('pkg:generic/x'), { type: 'generic', name: 'x' });
  });

  it('accepts slashes after the scheme and an unencoded scope', () => {
    assert.deepEqual(parsePurl('pkg://npm/@babel/core'), {
      type: 'npm',
      namespace: '@babel',
      name: 'core',
    });
  });

  it('takes the version after the last @ of the last segment', () => {
    assert.deepEqual(parsePurl('pkg:brew/node@20@20.10.0'), {
      type: 'brew',
      name: 'node@20',
      version: '20.10.0',
    });
    invalid(() => parsePurl('pkg:swift/github.com/Alamofire/@5.4.3'), /no name before/);
  });

  it('keeps + as a plus sign (purls are not form-encoded)', () => {
    assert.equal(parsePurl('pkg:deb/debian/attr@1:2.4-2+b1').version, '1:2.4-2+b1');
  });

  it('repairs in lenient mode what strict mode refuses', () => {
    const input = 'PKG:gem/x@1?Platform=java&novalue';
    assert.deepEqual(parsePurl(input), {
      type: 'gem',
      name: 'x',
      version: '1',
      qualifiers: { platform: 'java' },
    });
    const e = expectCustodyError(
      () => parsePurl(input, { strict: true }),
      CoreError,
      'PURL_INVALID',
    );
    assert.match(e.message, /scheme must be lowercase/);
    assert.match(e.message, /"Platform" must start with a lowercase letter/);
    assert.match(e.message, /"novalue" has no "=value"/);
    assert.deepEqual(e.toJSON().details, {
      problems: [
        'the qualifier key "Platform" must start with a lowercase letter',
        'the qualifier "novalue" has no "=value"',
        'the scheme must be lowercase "pkg"',
      ],
    });
  });

  it('refuses malformed purls in every mode, naming the input', () => {
    invalid(() => parsePurl('npm/foo'), /"npm\/foo" is not a valid purl: .*scheme "pkg:"/);
    invalid(() => parsePurl('pkg:'), /no type/);
    invalid(() => parsePurl('pkg:julia'), /no name/);
    invalid(() => parsePurl('pkg:3d/x'), /must start with a letter/);
    invalid(() => parsePurl('pkg:npm/x%zz'), /malformed percent-encoding/);
    invalid(() => parsePurl('pkg:npm/x%C3'), /malformed percent-encoding/);
    invalid(() => parsePurl('pkg:npm/a%2Fb/c'), /encodes a "\/"/);
    invalid(() => parsePurl('pkg:npm/c#a%2Fb'), /encodes a "\/"/);
    invalid(() => parsePurl('pkg:npm/x?a=1&A=2'), /more than once/);
    invalid(() => parsePurl('pkg:npm/x?in%20production=1'), /qualifier key/);
    invalid(() => parsePurl(42 as unknown as string), /must be a string/);
  });
});

describe('normalizePurl, purlEquals and validatePurl', () => {
  it('normalizes to the canonical form', () => {
    assert.equal(
      normalizePurl('pkg:Maven/org.x/y@1?Type=pom&a=&B=x/y#./z/'),
      'pkg:maven/org.x/y@1?b=x%2Fy&type=pom#z',
    );
  });

  it('compares purls by canonical form', () => {
    assert.ok(purlEquals('pkg:PYPI/Django_Package@1.0', 'pkg:pypi/django-package@1.0'));
    assert.ok(!purlEquals('pkg:pypi/django@1.0', 'pkg:pypi/django@1.1'));
    assert.ok(!purlEquals('not a purl', 'not a purl'));
  });

  it('reports every problem without throwing', () => {
    assert.deepEqual(validatePurl('pkg:npm/x@1'), {
      valid: true,
      canonical: true,
      normalized: 'pkg:npm/x@1',
      problems: [],
      warnings: [],
    });
    const v = validatePurl('pkg:npm/X@1?Key=v');
    assert.equal(v.valid, false);
    assert.equal(v.normalized, 'pkg:npm/x@1?key=v');
    assert.equal(v.problems.length, 2);
    const bad = validatePurl('pkg:swift/x');
    assert.equal(bad.valid, false);
    assert.equal(bad.normalized, undefined);
    assert.match(bad.problems[0] ?? '', /needs a namespace/);
    assert.deepEqual(validatePurl('pkg:x-custom/a').warnings, [
      'the type "x-custom" is not a registered purl type',
    ]);
  });
});

// Parts that are already canonical for types without case folding or rewrites.
const segmentArb = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
  .filter((s) => !s.includes('/') && s !== '.' && s !== '..');
const canonicalPartsArb: fc.Arbitrary<PurlParts> = fc
  .record(
    {
      type: fc.constantFrom('generic', 'conan', 'docker', 'x-custom.type'),
      namespace: fc.array(segmentArb, { minLength: 1, maxLength: 3 }).map((s) => s.join('/')),
      name: segmentArb,
      version: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
      qualifiers: fc.dictionary(
        fc.stringMatching(/^[a-z][a-z0-9._-]{0,8}$/),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
        { minKeys: 1, maxKeys: 4 },
      ),
      subpath: fc.array(segmentArb, { minLength: 1, maxLength: 3 }).map((s) => s.join('/')),
    },
    { requiredKeys: ['type', 'name'] },
  )
  .map((p) => ({ ...p, qualifiers: p.qualifiers && { ...p.qualifiers } }));

const anyType = fc.constantFrom(
  'npm',
  'pypi',
  'maven',
  'golang',
  'git',
  'github',
  'cpan',
  'pub',
  'mlflow',
  'swid',
  'julia',
  'chrome-extension',
  'generic',
);

describe('purl properties', () => {
  it('parsePurl(formatPurl(x)) returns canonical parts unchanged', () => {
    fc.assert(
      fc.property(canonicalPartsArb, (parts) => {
        const expected = Object.fromEntries(
          Object.entries(parts).filter(([, v]) => v !== undefined),
        );
        assert.deepEqual(parsePurl(formatPurl(parts), { strict: true }), expected);
      }),
      { numRuns: 500 },
    );
  });

  it('whatever formatPurl builds parses strictly and formats to itself', () => {
    const raw = fc.string({ unit: 'binary', maxLength: 10 });
    fc.assert(
      fc.property(
        anyType,
        fc.option(raw, { nil: undefined }),
        raw,
        fc.option(raw, { nil: undefined }),
        fc.dictionary(fc.string({ maxLength: 6 }), raw, { maxKeys: 3 }),
        fc.option(raw, { nil: undefined }),
        (type, namespace, name, version, qualifiers, subpath) => {
          let s: string;
          try {
            s = formatPurl({ type, namespace, name, version, qualifiers, subpath });
          } catch (e) {
            assert.ok(e instanceof CoreError && e.code === 'PURL_INVALID', String(e));
            return;
          }
          assert.equal(formatPurl(parsePurl(s, { strict: true })), s);
          assert.equal(normalizePurl(s), s);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('the one-pass formatPurl agrees with canonicalize + serialize (the parser path)', () => {
    const raw = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 10 }),
      fc.constantFrom('', '/', '.', '..', 'a//b', '/A_b/', 'x::y', '@s', 'Fo%o'),
    );
    const outcome = (fn: () => string): string => {
      try {
        return fn();
      } catch (e) {
        assert.ok(e instanceof CoreError && e.code === 'PURL_INVALID', String(e));
        return 'PURL_INVALID';
      }
    };
    fc.assert(
      fc.property(
        fc.oneof(anyType, fc.string({ maxLength: 6 })),
        fc.option(raw, { nil: undefined }),
        raw,
        fc.option(raw, { nil: undefined }),
        fc.dictionary(fc.constantFrom('uuid', 'tag_id', 'repository_url', 'A', 'b'), raw, {
          maxKeys: 3,
        }),
        fc.option(raw, { nil: undefined }),
        (type, namespace, name, version, qualifiers, subpath) => {
          const parts = { type, namespace, name, version, qualifiers, subpath };
          assert.equal(
            outcome(() => formatPurl(parts)),
            outcome(() => serializePurl(canonicalPartsOf(parts))),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('arbitrary and mutated strings parse or fail with PURL_INVALID only', () => {
    const seeds = [
      'pkg:npm/%40babel/core@7.0.0?a=b#c/d',
      'pkg:git/codeberg.org/forgejo/forgejo@abc#x',
      'pkg:mlflow/M@1?repository_url=https://x.azuredatabricks.net',
      'pkg:chrome-extension/dncgedbnidfkppmdgfgidcepclnokpkb@6.0.2',
    ];
    const mutated = fc
      .tuple(
        fc.constantFrom(...seeds),
        fc.nat(),
        fc.string({ unit: 'binary', maxLength: 4 }),
        fc.nat({ max: 4 }),
      )
      .map(([s, at, ins, del]) => {
        const i = at % (s.length + 1);
        return s.slice(0, i) + ins + s.slice(i + del);
      });
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'binary' }).map((s) => `pkg:${s}`),
      fc.stringMatching(/^pkg:[a-zA-Z/@?#&=%:.0-9]{0,30}$/),
      mutated,
    );
    fc.assert(
      fc.property(text, (s) => {
        for (const strict of [false, true]) {
          try {
            const parts = parsePurl(s, { strict });
            // What parses also builds, and the canonical form is a fixed point.
            const canonical = formatPurl(parts);
            assert.equal(normalizePurl(canonical), canonical);
          } catch (e) {
            assert.ok(e instanceof CoreError && e.code === 'PURL_INVALID', String(e));
          }
        }
        const v = validatePurl(s);
        assert.equal(v.problems.length === 0, v.valid && v.canonical);
      }),
      { numRuns: 2000 },
    );
  });
});
