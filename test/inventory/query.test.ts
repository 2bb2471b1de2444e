import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { VersError } from '../../src/core/vers/index.js';
import { InventoryError } from '../../src/inventory/errors.js';
import {
  type ComponentQueryParams,
  DEFAULT_LIMIT,
  encodeCursor,
  MAX_LIMIT,
  normalizeAlg,
  parseComponentQuery,
} from '../../src/inventory/query.js';
import { expectCustodyError } from '../helpers/expect-error.js';

function invalid(q: ComponentQueryParams, message?: RegExp): void {
  const e = expectCustodyError(
    () => parseComponentQuery(q),
    InventoryError,
    'INVENTORY_QUERY_INVALID',
  );
  if (message) assert.match(e.message, message);
}

const SHA = 'ab'.repeat(32);

describe('parseComponentQuery', () => {
  it('purl with version: package key and version, with the defaults', () => {
    assert.deepEqual(parseComponentQuery({ purl: 'pkg:npm/lodash@4.17.20' }), {
      match: { by: 'purl', package: 'pkg:npm/lodash', version: '4.17.20' },
      history: false,
      limit: DEFAULT_LIMIT,
    });
  });

  it('purl spelled with @ or %40 names the same package', () => {
    const a = parseComponentQuery({ purl: 'pkg:npm/@babel/core@7.0.0' });
    const b = parseComponentQuery({ purl: ' pkg:npm/%40babel/core@7.0.0 ' });
    assert.deepEqual(a, b);
    assert.deepEqual(a.match, { by: 'purl', package: 'pkg:npm/%40babel/core', version: '7.0.0' });
  });

  it('purl without version: every version of the package', () => {
    assert.deepEqual(parseComponentQuery({ purl: 'pkg:npm/express' }).match, {
      by: 'purl',
      package: 'pkg:npm/express',
    });
  });

  it('purl with qualifiers or subpath asks for that exact purl', () => {
    const m = parseComponentQuery({ purl: 'pkg:maven/org.apache/commons@1.0?type=jar' }).match;
    assert.equal(m.by, 'purl');
    assert.equal(m.by === 'purl' && m.package, 'pkg:maven/org.apache/commons');
    assert.equal(m.by === 'purl' && m.purl, 'pkg:maven/org.apache/commons@1.0?type=jar');
  });

  it('purl with a range (vers), normalised from hand-typed spacing and order', () => {
    const m = parseComponentQuery({
      purl: 'pkg:npm/lodash',
      range: 'vers:npm/<4.17.21 | >=4.0.0',
    }).match;
    assert.deepEqual(m, {
      by: 'purl',
      package: 'pkg:npm/lodash',
      range: {
        scheme: 'npm',
        constraints: [
          { comparator: '>=', version: '4.0.0' },
          { comparator: '<', version: '4.17.21' },
        ],
      },
    });
  });

  it('version and range exclude each other; a purl with version takes no range', () => {
    invalid(
      { purl: 'pkg:npm/lodash', version: '1.0.0', range: 'vers:npm/>=1' },
      /version or range/,
    );
    invalid({ purl: 'pkg:npm/lodash@4.17.20', range: 'vers:npm/>=1' }, /without a version/);
    invalid({ name: 'lodash', range: 'npm/>=1' }, /range/);
  });

  it('name, with version and ecosystem lower-cased, trimmed', () => {
    assert.deepEqual(
      parseComponentQuery({ name: ' lodash ', version: '4.17.20', ecosystem: 'NPM' }).match,
      { by: 'name', name: 'lodash', version: '4.17.20', ecosystem: 'npm' },
    );
    assert.equal(parseComponentQuery({ name: 'lodash', range: 'vers:npm/>=4' }).match.by, 'name');
  });

  it('hash: bare hex or prefixed sha256:/SHA-256:/sha1:, lower-cased', () => {
    assert.deepEqual(parseComponentQuery({ hash: SHA.toUpperCase() }).match, {
      by: 'hash',
      value: SHA,
    });
    for (const prefix of ['sha256', 'SHA256', 'SHA-256', 'sha-256']) {
      assert.deepEqual(
        parseComponentQuery({ hash: `${prefix}:${SHA}` }).match,
        { by: 'hash', value: SHA, alg: 'SHA-256' },
        prefix,
      );
    }
    assert.deepEqual(parseComponentQuery({ hash: `sha1:${'cd'.repeat(20)}` }).match, {
      by: 'hash',
      value: 'cd'.repeat(20),
      alg: 'SHA-1',
    });
    invalid({ hash: 'xyz' }, /hex/);
    invalid({ hash: 'ab'.repeat(15) }, /hex/); // too short to be a digest
    invalid({ hash: 'ab'.repeat(65) }, /hex/);
    invalid({ hash: SHA, range: 'vers:npm/>=1' }, /range applies/);
  });

  it('normalizeAlg spells algorithms as CycloneDX does', () => {
    assert.equal(normalizeAlg('sha512'), 'SHA-512');
    assert.equal(normalizeAlg('sha3-256'), 'SHA3-256');
    assert.equal(normalizeAlg('blake2b-256'), 'BLAKE2b-256');
    assert.equal(normalizeAlg('BLAKE3'), 'BLAKE3');
  });

  it('normalizeAlg: md5 is MD5', () => {
    // Regression test for a fixed bug: CycloneDX (and so the index) spell it MD5; normalizeAlg makes it MD-5, so a search for
    // `md5:<hex>` never matches a stored MD5 hash.
    assert.equal(normalizeAlg('md5'), 'MD5');
    assert.deepEqual(parseComponentQuery({ hash: `md5:${'ab'.repeat(16)}` }).match, {
      by: 'hash',
      value: 'ab'.repeat(16),
      alg: 'MD5',
    });
  });

  it('licence: one SPDX id, re-cased (mit → MIT), or a LicenseRef-; anything else refused', () => {
    assert.deepEqual(parseComponentQuery({ license: 'mit' }).match, {
      by: 'license',
      license: 'MIT',
    });
    assert.deepEqual(parseComponentQuery({ license: ' LicenseRef-acme-1.0 ' }).match, {
      by: 'license',
      license: 'LicenseRef-acme-1.0',
    });
    // Regression test: spdx-correct turned these into MIT and the search answered for MIT.
    invalid({ license: "MIT' OR 1=1--" }, /one SPDX licence id/);
    invalid({ license: 'MIT;drop table' }, /one SPDX licence id/);
    // A common spelling is not searched as the id it resembles; the message suggests it.
    invalid({ license: 'apache 2.0' }, /one SPDX licence id.*did you mean Apache-2\.0/);
    for (const bad of ['Some Licence', 'LicenseRef-', 'LicenseRef-a b', 'MIT+', 'GPL-2.0+']) {
      invalid({ license: bad }, /one SPDX licence id/);
    }
    // The index holds single ids; an expression would never match, so it is refused with advice.
    invalid({ license: ' MIT OR Apache-2.0 ' }, /one licence id/);
    invalid({ license: 'MIT', version: '1' }, /purl or name/);
    invalid({ license: 'MIT', range: 'vers:npm/>=1' }, /purl or name/);
  });

  // Regression test: range=vers:npm/>=notaversion answered 200, the bound ordered by a fallback.
  it('every version of a range must be a version of its scheme (VERS_INVALID)', () => {
    const bad = [
      'vers:npm/>=notaversion',
      'vers:npm/>=1.0.0|<notaversion',
      'vers:npm/>=4.x',
      'vers:semver/>=1.2',
      'vers:cargo/>=v1.2.3',
      'vers:golang/>=latest',
      'vers:pypi/>=one.two',
      'vers:gem/>=abc',
      'vers:nuget/>=1.2.3.4.5',
      'vers:deb/>=abc',
      'vers:rpm/>=1.0-',
      'vers:alpine/>=1.0_foo',
      'vers:gentoo/>=1.0-r',
      'vers:openssl/>=three',
      'vers:composer/>=latest',
      'vers:alpm/>=1.0-abc',
      'vers:datetime/>=yesterday',
    ];
    for (const range of bad) {
      const e = expectCustodyError(
        () => parseComponentQuery({ name: 'x', range }),
        VersError,
        'VERS_INVALID',
      );
      assert.match(e.message, /is not an? (valid )?/, range);
    }
    const good = [
      'vers:npm/>=1',
      'vers:npm/>=4.0.0|<4.17.21',
      'vers:npm/>=1.2.3-beta.1',
      'vers:semver/>=1.2.3',
      'vers:golang/>=v1.2.3|<v1.3.0-0.20200101000000-abcdef123456',
      'vers:golang/>=1.2.3',
      'vers:pypi/>=1.0rc1|<2!1.0.post1',
      'vers:gem/>=1.0.0.pre|<2',
      'vers:nuget/>=1.2.3.4',
      'vers:deb/>=1:2.3~rc1-1ubuntu1',
      'vers:rpm/>=1.2-3.el8',
      'vers:alpine/>=1.2.3_rc1-r0',
      'vers:gentoo/>=1.2.3b_p1-r2',
      'vers:openssl/>=1.1.1k',
      'vers:composer/>=v1.2.3-beta1',
      'vers:alpm/>=1:2.3-1',
      'vers:datetime/>=2024-01-01T00:00:00Z',
      'vers:maven/>=anything-goes',
      'vers:generic/>=whatever',
      'vers:npm/*',
    ];
    for (const range of good) assert.ok(parseComponentQuery({ name: 'x', range }).match, range);
  });

  it('exactly one way of naming the component', () => {
    invalid({}, /give one of/);
    invalid({ name: '   ' }, /give one of/);
    invalid({ purl: 'pkg:npm/x', name: 'x' }, /only one.*purl, name/);
    invalid({ hash: SHA, license: 'MIT' }, /only one/);
    invalid({ purl: 'express' }, /purl/);
  });

  it('limit from 1 to MAX_LIMIT', () => {
    assert.equal(parseComponentQuery({ name: 'x', limit: '1' }).limit, 1);
    assert.equal(parseComponentQuery({ name: 'x', limit: String(MAX_LIMIT) }).limit, MAX_LIMIT);
    assert.equal(parseComponentQuery({ name: 'x', limit: '' }).limit, DEFAULT_LIMIT);
    // Regression test: limit=1e2 was read as 100. Digits only.
    for (const bad of [
      '0',
      '-1',
      String(MAX_LIMIT + 1),
      '1.5',
      'ten',
      '1e3',
      '1e2',
      '0x10',
      '+5',
      ' 50',
      '50.0',
      '5_0',
    ]) {
      invalid({ name: 'x', limit: bad }, /limit/);
    }
  });

  it('direct and history are true/false/1/0', () => {
    const q = parseComponentQuery({ name: 'x', direct: 'false', history: '1' });
    assert.equal(q.direct, false);
    assert.equal(q.history, true);
    assert.equal(parseComponentQuery({ name: 'x', direct: 'true' }).direct, true);
    assert.equal('direct' in parseComponentQuery({ name: 'x', direct: '' }), false);
    invalid({ name: 'x', direct: 'yes' }, /direct/);
    invalid({ name: 'x', history: 'maybe' }, /history/);
  });

  it('cursors round-trip; foreign ones are refused', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999_999_999 }), (id) => {
        assert.equal(parseComponentQuery({ name: 'x', cursor: encodeCursor(id) }).before, id);
      }),
    );
    assert.match(encodeCursor(42), /^[A-Za-z0-9_-]+$/);
    invalid({ name: 'x', cursor: 'garbage' }, /cursor/);
    // Node's decoder skips what is not base64url: only the exact encoding is taken.
    invalid({ name: 'x', cursor: `${encodeCursor(42)}!!` }, /cursor/);
    invalid({ name: 'x', cursor: `${encodeCursor(42)}=` }, /cursor/);
    invalid({ name: 'x', cursor: Buffer.from('c:042').toString('base64url') }, /cursor/);
    invalid({ name: 'x', cursor: Buffer.from('c:1e2').toString('base64url') }, /cursor/);
    invalid({ name: 'x', cursor: Buffer.from('c:-1').toString('base64url') }, /cursor/);
    invalid(
      { name: 'x', cursor: Buffer.from('c:1234567890123456').toString('base64url') },
      /cursor/,
    );
  });
});
