import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
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

  it('licence: ids re-cased (mit → MIT), common spellings corrected, expressions refused', () => {
    assert.deepEqual(parseComponentQuery({ license: 'mit' }).match, {
      by: 'license',
      license: 'MIT',
    });
    assert.deepEqual(parseComponentQuery({ license: 'apache 2.0' }).match, {
      by: 'license',
      license: 'Apache-2.0',
    });
    // The index holds single ids; an expression would never match, so it is refused with advice.
    invalid({ license: ' MIT OR Apache-2.0 ' }, /one licence id/);
    invalid({ license: 'MIT', version: '1' }, /purl or name/);
    invalid({ license: 'MIT', range: 'vers:npm/>=1' }, /purl or name/);
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
    for (const bad of ['0', '-1', String(MAX_LIMIT + 1), '1.5', 'ten', '1e3']) {
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
    invalid({ name: 'x', cursor: Buffer.from('c:-1').toString('base64url') }, /cursor/);
    invalid(
      { name: 'x', cursor: Buffer.from('c:1234567890123456').toString('base64url') },
      /cursor/,
    );
  });
});
