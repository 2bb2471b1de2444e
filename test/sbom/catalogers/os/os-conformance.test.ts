import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePurl } from '../../../../src/core/purl/index.js';
import {
  apkInstalledCataloger,
  dpkgStatusCataloger,
  rpmSqliteCataloger,
} from '../../../../src/sbom/catalogers/os/index.js';
import type { Cataloger } from '../../../../src/sbom/model.js';
import { listConformance, readConformance } from '../../../helpers/conformance.js';
import { ALPINE_OS_RELEASE, DEBIAN_12_OS_RELEASE, mapTree } from './map-tree.js';

const OS_CATALOGERS: Cataloger[] = [dpkgStatusCataloger, apkInstalledCataloger, rpmSqliteCataloger];

/** Where each database lives in a root filesystem, and an independent count of its packages. */
const EXPECT: Record<string, { path: string; osRelease: string; count: (text: string) => number }> =
  {
    'dpkg-status': {
      path: 'var/lib/dpkg/status',
      osRelease: DEBIAN_12_OS_RELEASE,
      // paragraphs with Package and Version whose Status (if any) is "<want> ok installed"
      count: (text) =>
        text
          .split(/\n\s*\n/)
          .filter((p) => /^Package: *\S/m.test(p) && /^Version: *\S/m.test(p))
          .filter((p) => !/^Status:/m.test(p) || /^Status: \S+ ok installed$/m.test(p)).length,
    },
    'apk-installed': {
      path: 'lib/apk/db/installed',
      osRelease: ALPINE_OS_RELEASE,
      count: (text) => text.match(/^P:\S/gm)?.length ?? 0,
    },
  };

// One case per file of conformance/lockfiles/os: the names are prefixed by their source, so the
// cataloger is chosen by content (sniff), as for a file the user names explicitly.
describe('OS databases (conformance lockfiles/os)', () => {
  for (const file of listConformance('lockfiles', 'os')) {
    it(file, () => {
      const bytes = readConformance('lockfiles', 'os', file);
      const text = Buffer.from(bytes).toString('utf8');
      const sniffed = OS_CATALOGERS.filter((c) => c.sniff(file, text.slice(0, 4096)));
      assert.equal(
        sniffed.length,
        1,
        `exactly one cataloger sniffs ${file}: ${sniffed.map((c) => c.name)}`,
      );
      const cataloger = sniffed[0] as Cataloger;
      const expect = EXPECT[cataloger.name];
      assert.ok(expect, `no expectation for ${cataloger.name}`);
      const tree = mapTree({ [expect.path]: bytes, 'etc/os-release': expect.osRelease });
      assert.ok(cataloger.matches(expect.path));
      const r = cataloger.catalog(expect.path, tree);
      assert.equal(r.components.length, expect.count(text));
      assert.equal(
        new Set(r.components.map((c) => c.ref)).size,
        r.components.length,
        'unique refs',
      );
      for (const c of r.components) {
        assert.ok(c.version, `${c.name} has a version`);
        const purl = parsePurl(c.purl ?? '');
        assert.equal(purl.name, c.name.toLowerCase());
        assert.ok(Object.keys(purl.qualifiers ?? {}).includes('distro'), `${c.purl} has a distro`);
        for (const d of c.dependsOn) {
          assert.ok(
            r.components.some((x) => x.ref === d),
            `edge ${d} resolves`,
          );
        }
      }
    });
  }
});
