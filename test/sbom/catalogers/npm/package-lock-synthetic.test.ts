import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { npmPackageLockCataloger as cat } from '../../../../src/sbom/catalogers/npm/index.js';
import { SbomError } from '../../../../src/sbom/errors.js';
import { expectCustodyError } from '../../../helpers/expect-error.js';
import { memoryTree } from './memory-tree.js';

function lock(packages: Record<string, unknown>): string {
  return JSON.stringify({ name: 'proj', version: '1.0.0', lockfileVersion: 3, packages });
}

//   proj ─ a@1 ─ b (resolves to a's nested b@2, not the hoisted b@1)
//        └ b@1 ─ c@1 (resolved upwards from b's folder)
//   a's nested b@2 also depends on c: up through a, then the root
const NESTED = lock({
  '': {
    name: 'proj',
    version: '1.0.0',
    dependencies: { a: '1', b: '1' },
    devDependencies: { d: '1' },
  },
  'node_modules/a': { version: '1.0.0', dependencies: { b: '2' } },
  'node_modules/a/node_modules/b': { version: '2.0.0', dependencies: { c: '1' } },
  'node_modules/b': { version: '1.0.0', dependencies: { c: '1' } },
  'node_modules/c': { version: '1.0.0' },
  'node_modules/d': { version: '1.0.0', dev: true, dependencies: { c: '1' } },
  'node_modules/d/node_modules/c': { version: '1.0.0', dev: true },
  'node_modules/e': { version: '1.0.0', optional: true },
});

describe('npmPackageLockCataloger resolution', () => {
  const r = cat.catalog('package-lock.json', memoryTree({ 'package-lock.json': NESTED }));
  const get = (ref: string) => r.components.find((c) => c.ref === ref);

  it('resolves nested node_modules first, then up the tree', () => {
    assert.deepEqual(get('pkg:npm/a@1.0.0')?.dependsOn, ['pkg:npm/b@2.0.0']);
    assert.deepEqual(get('pkg:npm/b@2.0.0')?.dependsOn, ['pkg:npm/c@1.0.0']);
    assert.deepEqual(get('pkg:npm/b@1.0.0')?.dependsOn, ['pkg:npm/c@1.0.0']);
    assert.deepEqual(r.rootDependsOn, ['pkg:npm/a@1.0.0', 'pkg:npm/b@1.0.0', 'pkg:npm/d@1.0.0']);
  });

  it('keeps one component per purl with the most required scope and the first path', () => {
    const c = r.components.filter((x) => x.name === 'c');
    assert.equal(c.length, 1);
    assert.equal(c[0]?.scope, 'required');
    assert.equal(c[0]?.properties?.['custody:npm:path'], 'node_modules/c');
    assert.equal(get('pkg:npm/d@1.0.0')?.scope, 'dev');
    assert.equal(get('pkg:npm/e@1.0.0')?.scope, 'optional');
  });

  it('reads licences, author and description from installed package.json files', () => {
    const tree = memoryTree({
      'sub/package-lock.json': lock({
        '': { name: 'proj', version: '1.0.0', dependencies: { a: '1', b: '1', c: '1' } },
        'node_modules/a': { version: '1.0.0', license: 'ISC' },
        'node_modules/b': { version: '1.0.0' },
        'node_modules/c': { version: '1.0.0' },
      }),
      'sub/node_modules/a/package.json': JSON.stringify({ license: 'MIT', author: 'Nobody' }),
      'sub/node_modules/b/package.json': JSON.stringify({
        licenses: [{ type: 'MIT' }, { type: 'Apache-2.0' }],
        author: { name: 'Ann', email: 'ann@example.com' },
        description: 'bee',
      }),
      'sub/node_modules/c/package.json': '{ not json',
    });
    const res = cat.catalog('sub/package-lock.json', tree);
    const by = (n: string) => res.components.find((c) => c.name === n);
    assert.deepEqual(by('a')?.licenses, ['ISC']); // the lockfile's own field wins
    assert.deepEqual(by('b')?.licenses, ['MIT', 'Apache-2.0']);
    assert.equal(by('b')?.author, 'Ann <ann@example.com>');
    assert.equal(by('b')?.description, 'bee');
    assert.deepEqual(by('c')?.licenses, []);
    assert.equal(by('c')?.sourcePath, 'sub/package-lock.json');
  });

  it('skips links without a target and node_modules entries without a version', () => {
    const res = cat.catalog(
      'package-lock.json',
      memoryTree({
        'package-lock.json': lock({
          '': { name: 'proj', dependencies: { x: '1', y: '1' } },
          'node_modules/x': { link: true, resolved: 'missing' },
          'node_modules/y': { optional: true },
        }),
      }),
    );
    assert.deepEqual(res.components, []);
    assert.deepEqual(res.rootDependsOn, []);
  });
});

describe('npmPackageLockCataloger errors', () => {
  for (const [what, text] of [
    ['not JSON', '{"lockfileVersion": 3,'],
    ['not an object', '[1,2]'],
    ['no lockfileVersion', '{"packages": {}}'],
    ['a v1 dependencies that is not an object', '{"lockfileVersion": 1, "dependencies": 3}'],
  ] as const) {
    it(`rejects ${what} with SBOM_LOCKFILE_PARSE naming the file`, () => {
      const e = expectCustodyError(
        () => cat.catalog('x/package-lock.json', memoryTree({ 'x/package-lock.json': text })),
        SbomError,
        'SBOM_LOCKFILE_PARSE',
      );
      assert.match(e.message, /x\/package-lock\.json/);
    });
  }
  it('rejects a missing file', () => {
    expectCustodyError(
      () => cat.catalog('package-lock.json', memoryTree({})),
      SbomError,
      'SBOM_LOCKFILE_PARSE',
    );
  });
});

describe('npmPackageLockCataloger matching', () => {
  it('matches by name and sniffs by content', () => {
    assert.ok(cat.matches('a/b/package-lock.json'));
    assert.ok(cat.matches('npm-shrinkwrap.json'));
    assert.ok(!cat.matches('package.json'));
    assert.ok(cat.sniff('x.json', '{\n  "name": "a",\n  "lockfileVersion": 3,\n  "packages": {'));
    assert.ok(!cat.sniff('x.json', '{\n  "name": "a",\n  "version": "1.0.0"\n}'));
  });
});

describe('npmPackageLockCataloger performance', () => {
  it('catalogs 20,000 packages in well under a second', () => {
    const packages: Record<string, unknown> = {
      '': { name: 'big', version: '1.0.0', dependencies: {} },
    };
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const deps: Record<string, string> = {};
      for (const j of [i * 2 + 1, i * 3 + 7, i + 11]) if (j < n) deps[`pkg-${j}`] = '1';
      packages[`node_modules/pkg-${i}`] = {
        version: `1.${i % 17}.0`,
        integrity: `sha512-${Buffer.alloc(64, i % 251).toString('base64')}`,
        license: 'MIT',
        dependencies: deps,
      };
    }
    const text = lock(packages);
    const tree = memoryTree({ 'package-lock.json': text });
    cat.catalog('package-lock.json', tree); // warm-up
    const t0 = performance.now();
    JSON.parse(text);
    const parseMs = performance.now() - t0;
    const t1 = performance.now();
    const r = cat.catalog('package-lock.json', tree);
    const ms = performance.now() - t1;
    assert.equal(r.components.length, n);
    // ~100-200 ms on an idle developer machine. Shared runners vary tenfold, so the bound is
    // relative to parsing the same bytes: linear work stays a small multiple of it, quadratic
    // resolution would be thousands of times slower.
    assert.ok(
      ms < 10 * parseMs + 50,
      `took ${ms.toFixed(0)} ms; JSON.parse took ${parseMs.toFixed(0)} ms`,
    );
  });
});
