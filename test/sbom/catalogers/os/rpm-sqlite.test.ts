import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { isCustodyError } from '../../../../src/core/errors.js';
import { parsePurl } from '../../../../src/core/purl/index.js';
import {
  detectRpmDatabase,
  RPMTAG,
  RpmHeader,
  rpmPackageFromHeader,
  rpmSqliteCataloger,
} from '../../../../src/sbom/catalogers/os/index.js';
import { SbomError } from '../../../../src/sbom/errors.js';
import type { Component } from '../../../../src/sbom/model.js';
import { expectCustodyError } from '../../../helpers/expect-error.js';
import { mapTree, RHEL_9_OS_RELEASE } from './map-tree.js';
import {
  buildRpmSqlite,
  encodePackageHeader,
  encodeRpmHeader,
  RHEL9_PACKAGES,
  type RpmEntry,
} from './rpm-builder.js';

const DB = 'var/lib/rpm/rpmdb.sqlite';
const rpmdb = buildRpmSqlite(RHEL9_PACKAGES.map(encodePackageHeader));

function byName(components: Component[], name: string): Component {
  const c = components.find((x) => x.name === name);
  assert.ok(c, `no component ${name}`);
  return c;
}

describe('rpmSqliteCataloger', () => {
  const r = rpmSqliteCataloger.catalog(
    DB,
    mapTree({ [DB]: rpmdb, 'etc/os-release': RHEL_9_OS_RELEASE }),
  );

  it('matches rpm database paths and sniffs SQLite rpm databases', () => {
    assert.ok(rpmSqliteCataloger.matches('var/lib/rpm/rpmdb.sqlite'));
    assert.ok(rpmSqliteCataloger.matches('usr/lib/sysimage/rpm/rpmdb.sqlite'));
    assert.ok(rpmSqliteCataloger.matches('var/lib/rpm/Packages'));
    assert.ok(!rpmSqliteCataloger.matches('var/lib/rpm/Name'));
    assert.ok(rpmSqliteCataloger.sniff('rpmdb.sqlite', rpmdb.subarray(0, 512).toString('latin1')));
    assert.ok(!rpmSqliteCataloger.sniff('status', 'Package: x\nVersion: 1\n'));
  });

  it('reads every package but gpg-pubkey, in database order', () => {
    assert.deepEqual(
      r.components.map((c) => c.name),
      ['glibc', 'ncurses-libs', 'bash', 'openssl-libs'],
    );
  });

  it('writes rpm purls with version-release, arch, epoch, distro and upstream', () => {
    assert.equal(
      byName(r.components, 'bash').purl,
      'pkg:rpm/redhat/bash@5.1.8-6.el9_1?arch=x86_64&distro=rhel-9.2&upstream=bash-5.1.8-6.el9_1.src.rpm',
    );
    const ssl = parsePurl(byName(r.components, 'openssl-libs').purl ?? '');
    assert.equal(ssl.namespace, 'redhat');
    assert.equal(ssl.version, '3.0.7-27.el9');
    assert.deepEqual(
      Object.entries(ssl.qualifiers ?? {}).find(([k]) => k === 'epoch'),
      ['epoch', '1'],
    );
    assert.equal(byName(r.components, 'openssl-libs').version, '3.0.7-27.el9');
  });

  it('takes vendor, licence, summary, size and digests', () => {
    const glibc = byName(r.components, 'glibc');
    assert.equal(glibc.supplier, 'Red Hat, Inc.');
    assert.equal(glibc.description, 'The GNU libc libraries');
    assert.deepEqual(glibc.hashes, [{ alg: 'SHA-256', content: '1f'.repeat(32) }]);
    assert.equal(glibc.properties?.['custody:rpm:sigmd5'], 'ab'.repeat(16));
    assert.equal(glibc.properties?.['custody:rpm:sha256header'], 'ab'.repeat(32));
    assert.equal(glibc.properties?.['custody:rpm:size'], '6223397');
    assert.equal(glibc.properties?.['custody:rpm:sourceRpm'], 'glibc-2.34-60.el9.src.rpm');
    assert.deepEqual(byName(r.components, 'bash').licenses, ['GPL-3.0-or-later']);
    assert.deepEqual(byName(r.components, 'ncurses-libs').licenses, ['MIT']);
    // Fedora's old short names that do not all convert stay as written
    assert.deepEqual(glibc.licenses, [RHEL9_PACKAGES[0]?.license]);
  });

  it('resolves requires through provides', () => {
    const ref = (n: string) => byName(r.components, n).ref;
    assert.deepEqual(byName(r.components, 'bash').dependsOn, [ref('glibc'), ref('ncurses-libs')]);
    assert.deepEqual(byName(r.components, 'openssl-libs').dependsOn, [ref('glibc')]);
  });

  it('falls back to the VENDOR tag for the namespace without os-release', () => {
    const bare = rpmSqliteCataloger.catalog('rpmdb.sqlite', mapTree({ 'rpmdb.sqlite': rpmdb }));
    assert.equal(
      byName(bare.components, 'bash').purl,
      'pkg:rpm/redhat/bash@5.1.8-6.el9_1?arch=x86_64&upstream=bash-5.1.8-6.el9_1.src.rpm',
    );
    assert.equal(bare.root, undefined);
  });

  it('refuses BerkeleyDB and NDB databases as not supported yet', () => {
    const bdb = Buffer.alloc(4096);
    bdb.writeUInt32LE(0x00061561, 12);
    const e = expectCustodyError(
      () =>
        rpmSqliteCataloger.catalog(
          'var/lib/rpm/Packages',
          mapTree({ 'var/lib/rpm/Packages': bdb }),
        ),
      SbomError,
      'SBOM_LOCKFILE_PARSE',
    );
    assert.match(e.message, /BerkeleyDB.*not read yet|BerkeleyDB.*does not read/);
    assert.equal(detectRpmDatabase(bdb), 'bdb');
    const ndb = Buffer.concat([Buffer.from('RpmP'), Buffer.alloc(60)]);
    assert.equal(detectRpmDatabase(ndb), 'ndb');
    expectCustodyError(
      () =>
        rpmSqliteCataloger.catalog(
          'usr/lib/sysimage/rpm/Packages.db',
          mapTree({ 'usr/lib/sysimage/rpm/Packages.db': ndb }),
        ),
      SbomError,
      'SBOM_LOCKFILE_PARSE',
    );
  });

  it('refuses a SQLite database without a Packages table, and garbage', () => {
    const other = new Database(':memory:');
    other.exec('CREATE TABLE t (x)');
    const notRpm = other.serialize();
    other.close();
    const e = expectCustodyError(
      () => rpmSqliteCataloger.catalog(DB, mapTree({ [DB]: notRpm })),
      SbomError,
      'SBOM_LOCKFILE_PARSE',
    );
    assert.match(e.message, /without rpm's Packages table/);
    expectCustodyError(
      () =>
        rpmSqliteCataloger.catalog(DB, mapTree({ [DB]: Buffer.from('SQLite format 3\0garbage') })),
      SbomError,
      'SBOM_LOCKFILE_PARSE',
    );
    expectCustodyError(
      () => rpmSqliteCataloger.catalog(DB, mapTree({ [DB]: Buffer.from('not a database') })),
      SbomError,
      'SBOM_LOCKFILE_PARSE',
    );
  });

  it('names the package whose header is corrupt', () => {
    const db = buildRpmSqlite([
      encodePackageHeader(RHEL9_PACKAGES[0] as never),
      Buffer.from([0, 0, 0, 9, 0, 0, 0, 1]),
    ]);
    const e = expectCustodyError(
      () => rpmSqliteCataloger.catalog(DB, mapTree({ [DB]: db })),
      SbomError,
      'SBOM_LOCKFILE_PARSE',
    );
    assert.match(e.message, /rpmdb\.sqlite package 2/);
  });
});

describe('RpmHeader', () => {
  it('reads every value type it encodes', () => {
    const h = RpmHeader.parse(
      encodeRpmHeader([
        { tag: 1000, type: 'string', value: 'näme' },
        { tag: 1004, type: 'i18n', value: 'summary' },
        { tag: 1047, type: 'strings', values: ['a', '', 'c'] },
        { tag: 1003, type: 'int32', values: [7, 8] },
        { tag: 2000, type: 'int16', values: [65535] },
        { tag: 5009, type: 'int64', values: [2 ** 40] },
        { tag: 261, type: 'bin', value: Uint8Array.of(1, 2, 3) },
      ]),
      'test',
    );
    assert.equal(h.string(1000), 'näme');
    assert.equal(h.string(1004), 'summary');
    assert.deepEqual(h.strings(1047), ['a', '', 'c']);
    assert.equal(h.int(1003), 7);
    assert.equal(h.int(2000), 65535);
    assert.equal(h.int(5009), 2 ** 40);
    assert.deepEqual([...(h.binary(261) ?? [])], [1, 2, 3]);
    assert.equal(h.string(9999), undefined);
    expectCustodyError(() => h.int(1000), SbomError, 'SBOM_LOCKFILE_PARSE');
  });

  it('accepts the header magic of a package file', () => {
    const blob = encodeRpmHeader([{ tag: RPMTAG.NAME, type: 'string', value: 'x' }], {
      region: false,
    });
    const withMagic = Buffer.concat([Buffer.from([0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0]), blob]);
    assert.equal(RpmHeader.parse(withMagic, 'x.rpm').string(RPMTAG.NAME), 'x');
  });

  it('round-trips arbitrary package fields (property)', () => {
    const text = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !s.includes('\0'));
    fc.assert(
      fc.property(
        text,
        text,
        text,
        fc.option(fc.nat(), { nil: undefined }),
        fc.array(text, { maxLength: 5 }),
        (name, version, release, epoch, provides) => {
          const entries: RpmEntry[] = [
            { tag: RPMTAG.NAME, type: 'string', value: name },
            { tag: RPMTAG.VERSION, type: 'string', value: version },
            { tag: RPMTAG.RELEASE, type: 'string', value: release },
            { tag: RPMTAG.PROVIDENAME, type: 'strings', values: provides },
          ];
          if (epoch !== undefined)
            entries.push({ tag: RPMTAG.EPOCH, type: 'int32', values: [epoch] });
          const p = rpmPackageFromHeader(RpmHeader.parse(encodeRpmHeader(entries), 'prop'));
          assert.equal(p?.name, name);
          assert.equal(p?.version, version);
          assert.equal(p?.release, release);
          assert.equal(p?.epoch, epoch);
          assert.deepEqual(p?.provides, provides);
        },
      ),
    );
  });

  it('parses or throws SbomError for arbitrary and mutated blobs (property)', () => {
    const real = encodePackageHeader(RHEL9_PACKAGES[0] as never);
    const blob = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc
        .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })
        .map((edits) => {
          const b = Buffer.from(real);
          for (const [at, v] of edits) b[at % b.length] = v;
          return b;
        }),
    );
    fc.assert(
      fc.property(blob, (b) => {
        try {
          rpmPackageFromHeader(RpmHeader.parse(b, 'fuzz'));
        } catch (e) {
          assert.ok(isCustodyError(e, 'SBOM_LOCKFILE_PARSE'), String(e));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reads mutated databases or throws SbomError (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        (edits) => {
          const b = Buffer.from(rpmdb);
          for (const [at, v] of edits) b[at % b.length] = v;
          try {
            rpmSqliteCataloger.catalog(DB, mapTree({ [DB]: b }));
          } catch (e) {
            assert.ok(isCustodyError(e), String(e));
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
