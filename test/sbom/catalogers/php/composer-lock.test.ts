import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composerLockCataloger } from '../../../../src/sbom/catalogers/php/index.js';
import { SbomError } from '../../../../src/sbom/errors.js';
import { listConformance, readConformance } from '../../../helpers/conformance.js';
import { expectCustodyError } from '../../../helpers/expect-error.js';
import { assertCatalogsOrSbomError, memoryTree } from '../python/memory-tree.js';

const DIR = ['lockfiles', 'other'] as const;
const text = (f: string) => new TextDecoder().decode(readConformance(...DIR, f));

interface RawPackage {
  name: string;
  version: string;
  require?: Record<string, string>;
  dist?: { shasum?: string };
}

describe('composer.lock over the conformance lockfiles', () => {
  for (const file of listConformance(...DIR).filter(
    (f) => f.endsWith('.lock') && f.includes('composer'),
  )) {
    it(`${file} is cataloged; packages, dev scope and edges counted independently`, () => {
      const src = text(file);
      assert.ok(composerLockCataloger.sniff(file, src.slice(0, 2048)));
      const doc = JSON.parse(src) as { packages: RawPackage[]; 'packages-dev': RawPackage[] };
      const r = composerLockCataloger.catalog(
        'composer.lock',
        memoryTree({ 'composer.lock': src }),
      );
      const all = [...doc.packages, ...doc['packages-dev']];
      assert.equal(r.components.length, all.length);
      assert.equal(
        r.components.filter((c) => c.scope === 'dev').length,
        doc['packages-dev'].length,
      );
      const names = new Set(all.map((p) => p.name.toLowerCase()));
      const edges = all.reduce(
        (n, p) => n + Object.keys(p.require ?? {}).filter((d) => names.has(d.toLowerCase())).length,
        0,
      );
      assert.equal(
        r.components.reduce((n, c) => n + c.dependsOn.length, 0),
        edges,
      );
      const shasums = all.filter((p) => /^[0-9a-f]{40}$/.test(p.dist?.shasum ?? '')).length;
      assert.equal(r.components.filter((c) => c.hashes.length > 0).length, shasums);
    });
  }

  it('spot checks: symfony/console as the file writes it', () => {
    const r = composerLockCataloger.catalog(
      'composer.lock',
      memoryTree({ 'composer.lock': text('cdxgen__composer-2.lock') }),
    );
    const console = r.components.find((c) => c.ref === 'pkg:composer/symfony/console@v5.1.2');
    assert.ok(console);
    assert.equal(console.namespace, 'symfony');
    assert.equal(console.scope, 'required');
    assert.deepEqual(console.licenses, ['MIT']);
    assert.equal(console.author, 'Fabien Potencier, Symfony Community');
    assert.ok(console.dependsOn.includes('pkg:composer/symfony/string@v5.1.2'));
    assert.ok(
      !console.dependsOn.some((d) => d.includes('/php@')),
      'platform packages are not edges',
    );
    assert.equal(r.components.find((c) => c.name === 'composer-bin-plugin')?.scope, 'dev');
  });

  it('takes dist.shasum as SHA-1 and the project from composer.json', () => {
    const lock = JSON.stringify({
      'content-hash': 'x',
      packages: [
        {
          name: 'Monolog/Monolog',
          version: '3.5.0',
          dist: { shasum: 'AB'.repeat(20) },
          license: ['MIT'],
        },
      ],
      'packages-dev': [],
    });
    const r = composerLockCataloger.catalog(
      'app/composer.lock',
      memoryTree({
        'app/composer.lock': lock,
        'app/composer.json': '{"name":"acme/app","require":{"monolog/monolog":"^3"}}',
      }),
    );
    assert.equal(r.components[0]?.ref, 'pkg:composer/monolog/monolog@3.5.0');
    assert.deepEqual(r.components[0]?.hashes, [{ alg: 'SHA-1', content: 'ab'.repeat(20) }]);
    assert.deepEqual(r.rootDependsOn, ['pkg:composer/monolog/monolog@3.5.0']);
    assert.equal(r.root?.purl, 'pkg:composer/acme/app');
  });

  it('refuses JSON without packages and invalid JSON, naming the file', () => {
    for (const bad of ['{"x":1}', '{"packages": [', '[]']) {
      const e = expectCustodyError(
        () => composerLockCataloger.catalog('composer.lock', memoryTree({ 'composer.lock': bad })),
        SbomError,
        'SBOM_LOCKFILE_PARSE',
      );
      assert.match(e.message, /^composer\.lock/);
    }
  });

  it('a result or SbomError on arbitrary and mutated bytes', () => {
    assertCatalogsOrSbomError(
      composerLockCataloger,
      'composer.lock',
      readConformance(...DIR, 'cdxgen__composer-2.lock'),
      {},
      60,
    );
  });
});
