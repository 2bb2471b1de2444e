import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isCustodyError } from '../../../../src/core/errors.js';
import { parsePurl } from '../../../../src/core/purl/index.js';
import {
  dpkgStatusCataloger,
  parseDebianCopyrightLicenses,
  parseDpkgStatus,
} from '../../../../src/sbom/catalogers/os/index.js';
import { SbomError } from '../../../../src/sbom/errors.js';
import type { Component } from '../../../../src/sbom/model.js';
import { readConformance } from '../../../helpers/conformance.js';
import { expectCustodyError } from '../../../helpers/expect-error.js';
import { DEBIAN_12_OS_RELEASE, mapTree } from './map-tree.js';

const STATUS = `Package: libc6
Status: install ok installed
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: amd64
Multi-Arch: same
Source: glibc (2.36-9+deb12u4)
Version: 2.36-9+deb12u4
Depends: libgcc-s1
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system.

Package: libgcc-s1
Status: install ok installed
Architecture: amd64
Source: gcc-12 (12.2.0-14)
Version: 12.2.0-14
Depends: gcc-12-base (= 12.2.0-14), libc6 (>= 2.35)
Description: GCC support library

Package: gcc-12-base
Status: install ok installed
Architecture: amd64
Source: gcc-12
Version: 12.2.0-14
Description: GCC, the GNU Compiler Collection (base package)

Package: debconf
Status: install ok installed
Architecture: all
Version: 1.5.82
Provides: debconf-2.0
Pre-Depends: perl-base (>= 5.20.1-3~)

Package: adduser
Status: install ok installed
Architecture: all
Version: 3.134
Depends: passwd, debconf (>= 0.5) | debconf-2.0

Package: login
Status: install ok installed
Architecture: amd64
Source: shadow
Version: 1:4.13+dfsg1-1+b1
Pre-Depends: libc6:amd64 (>= 2.34)

Package: removed-pkg
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0

Package: held-pkg
Status: hold ok installed
Architecture: amd64
Version: 2.0
`;

const DEP5 = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: GNU C Library

Files: *
Copyright: 1991-2023 Free Software Foundation, Inc.
License: LGPL-2.1+

Files: debian/*
License: GPL-2+ or Artistic, and BSD-3-clause

License: LGPL-2.1+
 This library is free software.
 On Debian systems, see /usr/share/common-licenses/LGPL-2.1.
`;

function debianTree(extra: Record<string, string> = {}) {
  return mapTree({
    'var/lib/dpkg/status': STATUS,
    'etc/os-release': DEBIAN_12_OS_RELEASE,
    'usr/share/doc/libc6/copyright': DEP5,
    ...extra,
  });
}

function byName(components: Component[], name: string): Component {
  const c = components.find((x) => x.name === name);
  assert.ok(c, `no component ${name}`);
  return c;
}

describe('dpkgStatusCataloger', () => {
  it('matches status and status.d files, not dpkg side files', () => {
    assert.ok(dpkgStatusCataloger.matches('var/lib/dpkg/status'));
    assert.ok(dpkgStatusCataloger.matches('rootfs/var/lib/dpkg/status'));
    assert.ok(dpkgStatusCataloger.matches('var/lib/dpkg/status.d/libssl1.1'));
    assert.ok(!dpkgStatusCataloger.matches('var/lib/dpkg/status.d/base-files.md5sums'));
    assert.ok(!dpkgStatusCataloger.matches('var/lib/dpkg/status-old'));
    assert.ok(!dpkgStatusCataloger.matches('var/lib/dpkg/status.d/sub/x'));
  });

  describe('on a status file with os-release and copyright files', () => {
    const result = dpkgStatusCataloger.catalog('var/lib/dpkg/status', debianTree());

    it('keeps only installed packages (held ones included)', () => {
      assert.deepEqual(
        result.components.map((c) => c.name),
        ['libc6', 'libgcc-s1', 'gcc-12-base', 'debconf', 'adduser', 'login', 'held-pkg'],
      );
    });

    it('writes deb purls with arch, distro and upstream', () => {
      const libc = byName(result.components, 'libc6');
      assert.equal(
        libc.purl,
        'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc%402.36-9%2Bdeb12u4',
      );
      assert.equal(libc.namespace, 'debian');
      assert.equal(libc.ecosystem, 'deb');
      const login = byName(result.components, 'login');
      assert.equal(login.version, '1:4.13+dfsg1-1+b1');
      const parsed = parsePurl(login.purl ?? '');
      assert.equal(parsed.version, '1:4.13+dfsg1-1+b1');
      assert.deepEqual(parsed.qualifiers, {
        arch: 'amd64',
        distro: 'debian-12',
        upstream: 'shadow',
      });
      assert.equal(
        byName(result.components, 'gcc-12-base').purl,
        'pkg:deb/debian/gcc-12-base@12.2.0-14?arch=amd64&distro=debian-12&upstream=gcc-12',
      );
    });

    it('takes supplier, description and source properties', () => {
      const libc = byName(result.components, 'libc6');
      assert.equal(libc.supplier, 'GNU Libc Maintainers <debian-glibc@lists.debian.org>');
      assert.equal(libc.description, 'GNU C Library: Shared libraries');
      assert.equal(libc.properties?.['custody:dpkg:source'], 'glibc');
      assert.equal(libc.sourcePath, 'var/lib/dpkg/status');
      // dpkg keeps no digest of the .deb: the gate warns about the hash instead of blocking.
      assert.equal(libc.properties?.['custody:hash:unrecorded'], 'dpkg');
      assert.deepEqual(libc.hashes, []);
    });

    it('resolves Depends, Pre-Depends, alternatives and virtual packages to edges', () => {
      const ref = (n: string) => byName(result.components, n).ref;
      assert.deepEqual(byName(result.components, 'libgcc-s1').dependsOn, [
        ref('gcc-12-base'),
        ref('libc6'),
      ]);
      assert.deepEqual(byName(result.components, 'libc6').dependsOn, [ref('libgcc-s1')]);
      // passwd is absent; "debconf | debconf-2.0" resolves to debconf
      assert.deepEqual(byName(result.components, 'adduser').dependsOn, [ref('debconf')]);
      // libc6:amd64 names the architecture
      assert.deepEqual(byName(result.components, 'login').dependsOn, [ref('libc6')]);
      assert.deepEqual(byName(result.components, 'debconf').dependsOn, []);
    });

    it('reads licences from the DEP-5 copyright file as SPDX', () => {
      assert.deepEqual(byName(result.components, 'libc6').licenses, [
        'LGPL-2.1-or-later',
        '(GPL-2.0-or-later OR Artistic-1.0-Perl) AND BSD-3-Clause',
      ]);
      assert.deepEqual(byName(result.components, 'adduser').licenses, []);
    });

    it('describes the OS as the root', () => {
      assert.deepEqual(result.root, { name: 'debian', version: '12', ecosystem: 'deb' });
      assert.equal(result.cataloger, 'dpkg-status');
    });

    it('gives every component a unique ref', () => {
      const refs = result.components.map((c) => c.ref);
      assert.equal(new Set(refs).size, refs.length);
    });
  });

  it('follows an os-release symlinked to usr/lib (FileTree resolves it) or reads usr/lib directly', () => {
    const tree = mapTree({
      'var/lib/dpkg/status': STATUS,
      'usr/lib/os-release': 'ID=ubuntu\nVERSION_ID="22.04"\n',
    });
    const r = dpkgStatusCataloger.catalog('var/lib/dpkg/status', tree);
    assert.match(r.components[0]?.purl ?? '', /^pkg:deb\/ubuntu\/libc6@.*distro=ubuntu-22.04/);
  });

  it('without os-release, omits distro and guesses the vendor from maintainers', () => {
    const tree = mapTree({
      'custom-name': readConformance('lockfiles', 'os', 'cdxgen__ubuntu-status'),
    });
    const r = dpkgStatusCataloger.catalog('custom-name', tree);
    assert.ok(r.components.length > 0);
    assert.ok(
      r.components.every(
        (c) => c.purl?.startsWith('pkg:deb/ubuntu/') && !c.purl.includes('distro='),
      ),
    );
    assert.equal(r.root, undefined);
  });

  it('reads a status.d file and links to packages in sibling files', () => {
    const tree = mapTree({
      'var/lib/dpkg/status.d/libc6':
        'Package: libc6\nVersion: 2.36-9\nArchitecture: amd64\nDepends: libgcc-s1\n',
      'var/lib/dpkg/status.d/libc6.md5sums': 'd41d8cd98f00b204e9800998ecf8427e  lib/x\n',
      'var/lib/dpkg/status.d/libgcc-s1':
        'Package: libgcc-s1\nVersion: 12.2.0-14\nArchitecture: amd64\n',
      'etc/os-release': DEBIAN_12_OS_RELEASE,
    });
    const r = dpkgStatusCataloger.catalog('var/lib/dpkg/status.d/libc6', tree);
    assert.equal(r.components.length, 1);
    assert.deepEqual(r.components[0]?.dependsOn, [
      'pkg:deb/debian/libgcc-s1@12.2.0-14?arch=amd64&distro=debian-12',
    ]);
    const other = dpkgStatusCataloger.catalog('var/lib/dpkg/status.d/libgcc-s1', tree);
    assert.equal(other.components[0]?.ref, r.components[0]?.dependsOn[0]);
  });

  it('names the file and line of a malformed paragraph', () => {
    const tree = mapTree({
      'var/lib/dpkg/status': 'Package: a\nVersion: 1\nthis is not a field\n',
    });
    const e = expectCustodyError(
      () => dpkgStatusCataloger.catalog('var/lib/dpkg/status', tree),
      SbomError,
      'SBOM_LOCKFILE_PARSE',
    );
    assert.match(e.message, /var\/lib\/dpkg\/status line 3/);
  });
});

describe('parseDebianCopyrightLicenses', () => {
  it('reads common-licenses references in free-form files', () => {
    const text = 'This package is GPL.\nOn Debian systems, see /usr/share/common-licenses/GPL-3.\n';
    assert.deepEqual(parseDebianCopyrightLicenses(Buffer.from(text)), ['GPL-3.0-only']);
  });

  it('maps Debian short names to SPDX', () => {
    const text = [
      'License: GPL-2+',
      'License: LGPL-2.1+',
      'License: Artistic',
      'License: BSD-3-clause',
      'License: Expat',
      'License: GPL-2+ with Autoconf exception',
      'License: public-domain',
      'License: GPL-2+ with OpenSSL exception',
      'License: other-custom',
    ].join('\n');
    assert.deepEqual(parseDebianCopyrightLicenses(Buffer.from(text)), [
      'GPL-2.0-or-later',
      'LGPL-2.1-or-later',
      'Artistic-1.0-Perl',
      'BSD-3-Clause',
      'MIT',
      'GPL-2.0-or-later WITH Autoconf-exception-2.0',
      'LicenseRef-public-domain',
      'GPL-2+ with OpenSSL exception',
      'other-custom',
    ]);
  });
});

describe('parseDpkgStatus (property)', () => {
  it('returns packages or throws SbomError for arbitrary text', () => {
    const line = fc.oneof(
      fc.constantFrom(
        'Package: a',
        'Version: 1',
        'Status: install ok installed',
        ' cont',
        '',
        'Depends: a | b (>= 1), c',
      ),
      fc.string({ maxLength: 40 }),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        try {
          parseDpkgStatus(Buffer.from(lines.join('\n')), 'status');
        } catch (e) {
          assert.ok(isCustodyError(e, 'SBOM_LOCKFILE_PARSE'), String(e));
        }
      }),
    );
  });

  it('survives mutated real databases', () => {
    const real = readConformance('lockfiles', 'os', 'syft__dpkg-status.d-multiple');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 20 }),
        (edits) => {
          const b = Buffer.from(real);
          for (const [at, v] of edits) b[at % b.length] = v;
          try {
            dpkgStatusCataloger.catalog(
              'var/lib/dpkg/status',
              mapTree({ 'var/lib/dpkg/status': b }),
            );
          } catch (e) {
            assert.ok(isCustodyError(e), String(e));
          }
        },
      ),
    );
  });
});
