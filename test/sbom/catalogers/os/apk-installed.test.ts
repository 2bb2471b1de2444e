import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isCustodyError } from '../../../../src/core/errors.js';
import { apkLicenses } from '../../../../src/sbom/catalogers/os/apk-installed.js';
import {
  apkInstalledCataloger,
  parseApkInstalled,
} from '../../../../src/sbom/catalogers/os/index.js';
import { SbomError } from '../../../../src/sbom/errors.js';
import type { Component } from '../../../../src/sbom/model.js';
import { readConformance } from '../../../helpers/conformance.js';
import { expectCustodyError } from '../../../helpers/expect-error.js';
import { ALPINE_OS_RELEASE, mapTree } from './map-tree.js';

const INSTALLED = 'lib/apk/db/installed';

function catalogSample(file: string, osRelease = ALPINE_OS_RELEASE) {
  const tree = mapTree({
    [INSTALLED]: readConformance('lockfiles', 'os', file),
    'etc/os-release': osRelease,
  });
  return apkInstalledCataloger.catalog(INSTALLED, tree);
}

function byName(components: Component[], name: string): Component {
  const c = components.find((x) => x.name === name);
  assert.ok(c, `no component ${name}`);
  return c;
}

describe('apkInstalledCataloger', () => {
  const r = catalogSample('osv-scalibr__apk.installed');

  it('matches the installed database at any root', () => {
    assert.ok(apkInstalledCataloger.matches('lib/apk/db/installed'));
    assert.ok(apkInstalledCataloger.matches('layer/lib/apk/db/installed'));
    assert.ok(!apkInstalledCataloger.matches('lib/apk/db/installed.bak'));
  });

  it('writes apk purls with arch and distro', () => {
    const musl = byName(r.components, 'musl');
    assert.match(
      musl.purl ?? '',
      /^pkg:apk\/alpine\/musl@1\.2\.\d+-r\d+\?arch=x86_64&distro=3\.18\.0$/,
    );
    assert.equal(musl.namespace, 'alpine');
    assert.equal(musl.supplier, 'Timo Teräs <timo.teras@iki.fi>');
    assert.equal(musl.description, 'the musl c library (libc) implementation');
    assert.deepEqual(musl.licenses, ['MIT']);
  });

  it('adds upstream when the origin package differs', () => {
    const libcrypto = byName(r.components, 'libcrypto3');
    assert.match(libcrypto.purl ?? '', /upstream=openssl/);
    assert.equal(libcrypto.properties?.['custody:apk:origin'], 'openssl');
  });

  it('decodes the Q1 checksum as SHA-1', () => {
    const base = byName(r.components, 'alpine-baselayout');
    const expected = Buffer.from('zwvKMnYs1b6ZdPTBJ0Z7D5P3jyA=', 'base64').toString('hex');
    assert.deepEqual(base.hashes, [{ alg: 'SHA-1', content: expected }]);
    assert.equal(expected.length, 40);
  });

  it('resolves D: through names and p: provides', () => {
    const ref = (n: string) => byName(r.components, n).ref;
    // alpine-baselayout: D:alpine-baselayout-data=… /bin/sh (busybox provides /bin/sh)
    assert.deepEqual(byName(r.components, 'alpine-baselayout').dependsOn, [
      ref('alpine-baselayout-data'),
      ref('busybox-binsh'),
    ]);
    // so:libc.musl-x86_64.so.1 is provided by musl
    assert.ok(byName(r.components, 'libcrypto3').dependsOn.includes(ref('musl')));
  });

  it('uses the os-release ID as vendor (wolfi) and omits distro without VERSION_ID', () => {
    const w = catalogSample('cdxgen__alpine-installed', 'ID=wolfi\nNAME="Wolfi"\n');
    assert.ok(
      w.components.every(
        (c) => c.purl?.startsWith('pkg:apk/wolfi/') && !c.purl.includes('distro='),
      ),
    );
  });

  it('refuses a line that is not <letter>:<value>', () => {
    const tree = mapTree({ [INSTALLED]: 'P:musl\nV:1.2\nnot a field\n' });
    const e = expectCustodyError(
      () => apkInstalledCataloger.catalog(INSTALLED, tree),
      SbomError,
      'SBOM_LOCKFILE_PARSE',
    );
    assert.match(e.message, /lib\/apk\/db\/installed line 3/);
  });
});

describe('apkLicenses', () => {
  it('normalises L: values', () => {
    assert.deepEqual(apkLicenses('GPL-2.0-only'), ['GPL-2.0-only']);
    assert.deepEqual(apkLicenses('MIT AND BSD-2-Clause AND GPL-2.0-or-later'), [
      'MIT AND BSD-2-Clause AND GPL-2.0-or-later',
    ]);
    assert.deepEqual(apkLicenses('MIT BSD GPL2+'), ['MIT', 'BSD', 'GPL-2.0-or-later']);
    assert.deepEqual(apkLicenses('MIT AND BSD'), ['MIT', 'BSD']);
    assert.deepEqual(apkLicenses('MIT OR Custom'), ['MIT OR Custom']);
    assert.deepEqual(apkLicenses('mit or apache-2.0'), ['MIT OR Apache-2.0']);
    assert.deepEqual(apkLicenses('OpenSSL'), ['OpenSSL']);
  });
});

describe('parseApkInstalled (property)', () => {
  it('returns packages or throws SbomError for arbitrary text', () => {
    const line = fc.oneof(
      fc.constantFrom(
        'P:a',
        'V:1',
        'C:Q1zwvKMnYs1b6ZdPTBJ0Z7D5P3jyA=',
        'D:b>=1 !c so:x',
        'p:so:x=1',
        '',
        'C:Q1!!',
      ),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        try {
          parseApkInstalled(Buffer.from(lines.join('\n')), 'installed');
        } catch (e) {
          assert.ok(isCustodyError(e, 'SBOM_LOCKFILE_PARSE'), String(e));
        }
      }),
    );
  });

  it('survives mutated real databases through the cataloger', () => {
    const real = readConformance('lockfiles', 'os', 'syft__alpine-multiple-2.installed');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 20 }),
        (edits) => {
          const b = Buffer.from(real);
          for (const [at, v] of edits) b[at % b.length] = v;
          try {
            apkInstalledCataloger.catalog(INSTALLED, mapTree({ [INSTALLED]: b }));
          } catch (e) {
            assert.ok(isCustodyError(e), String(e));
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});
