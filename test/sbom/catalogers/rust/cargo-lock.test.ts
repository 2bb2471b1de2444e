import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cargoLockCataloger } from '../../../../src/sbom/catalogers/rust/index.js';
import { SbomError } from '../../../../src/sbom/errors.js';
import { listConformance, readConformance } from '../../../helpers/conformance.js';
import { expectCustodyError } from '../../../helpers/expect-error.js';
import { assertCatalogsOrSbomError, memoryTree } from '../python/memory-tree.js';

const DIR = ['lockfiles', 'rust'] as const;
const text = (f: string) => new TextDecoder().decode(readConformance(...DIR, f));

describe('Cargo.lock over the conformance lockfiles', () => {
  for (const file of listConformance(...DIR)) {
    it(`${file} is cataloged; packages and checksums counted independently`, () => {
      const src = text(file);
      assert.ok(cargoLockCataloger.sniff(file, src.slice(0, 2048)));
      const r = cargoLockCataloger.catalog('Cargo.lock', memoryTree({ 'Cargo.lock': src }));
      assert.equal(r.components.length, [...src.matchAll(/^\[\[package\]\]/gm)].length);
      // Inline checksums (v2+) plus v1's [metadata] "checksum …" keys (one sample mixes both).
      const checksums =
        [...src.matchAll(/^checksum = "[0-9a-f]{64}"$/gm)].length +
        [...src.matchAll(/^"checksum [^"]+" = "[0-9a-f]{64}"$/gm)].length;
      assert.equal(r.components.filter((c) => c.hashes[0]?.alg === 'SHA-256').length, checksums);
      const refs = new Set(r.components.map((c) => c.ref));
      assert.equal(refs.size, r.components.length);
      // Every dependency line resolves to an edge (dedupe per package).
      const deps = [...src.matchAll(/^dependencies = \[\n((?: "[^"]+",\n)+)\]/gm)].reduce(
        (n, m) => n + new Set((m[1] as string).trim().split('\n')).size,
        0,
      );
      assert.equal(
        r.components.reduce((n, c) => n + c.dependsOn.length, 0) + r.rootDependsOn.length,
        deps,
      );
    });
  }

  it('keeps a git and a registry copy of one version apart and resolves "(source)" edges', () => {
    const r = cargoLockCataloger.catalog(
      'Cargo.lock',
      memoryTree({
        'Cargo.lock': text('syft__Cargo.lock-with-git-deps'),
        'Cargo.toml': '[package]\nname = "hello_world"\nversion = "0.1.0"\n',
      }),
    );
    assert.equal(r.root?.name, 'hello_world');
    const git = r.components.find((c) => c.name === 'regex' && c.purl?.includes('vcs_url'));
    assert.ok(git);
    assert.equal(git.hashes.length, 0);
    assert.ok(r.rootDependsOn.includes(git.ref));
    assert.ok(r.rootDependsOn.includes('pkg:cargo/nom-regex@0.2.0'));
    const nomRegex = r.components.find((c) => c.ref === 'pkg:cargo/nom-regex@0.2.0');
    assert.deepEqual(nomRegex?.dependsOn, ['pkg:cargo/nom@7.1.3', 'pkg:cargo/regex@1.11.1']);
    assert.deepEqual(nomRegex?.hashes, [
      {
        alg: 'SHA-256',
        content: '72e5c7731c4c1370b61604ed52a2475e861aac9e08dec9f23903d4ddfdc91c18',
      },
    ]);
  });

  it('reads v1 locks: [metadata] checksums and "name version (source)" edges', () => {
    const src = 'registry+https://github.com/rust-lang/crates.io-index';
    const lock = [
      '[[package]]',
      'name = "app"',
      'version = "0.1.0"',
      `dependencies = [\n "libc 0.2.1 (${src})",\n]`,
      '',
      '[[package]]',
      'name = "libc"',
      'version = "0.2.1"',
      `source = "${src}"`,
      '',
      '[metadata]',
      `"checksum libc 0.2.1 (${src})" = "${'ab'.repeat(32)}"`,
      '',
    ].join('\n');
    const r = cargoLockCataloger.catalog(
      'Cargo.lock',
      memoryTree({ 'Cargo.lock': lock, 'Cargo.toml': '[package]\nname = "app"\n' }),
    );
    assert.deepEqual(r.rootDependsOn, ['pkg:cargo/libc@0.2.1']);
    assert.equal(r.components.length, 1);
    assert.equal(r.components[0]?.hashes[0]?.content, 'ab'.repeat(32));
  });

  it('refuses invalid TOML naming the file', () => {
    const e = expectCustodyError(
      () =>
        cargoLockCataloger.catalog('x/Cargo.lock', memoryTree({ 'x/Cargo.lock': '[[package]\n' })),
      SbomError,
      'SBOM_LOCKFILE_PARSE',
    );
    assert.match(e.message, /^x\/Cargo\.lock: not valid TOML/);
  });

  it('a result or SbomError on arbitrary and mutated bytes', () => {
    assertCatalogsOrSbomError(
      cargoLockCataloger,
      'Cargo.lock',
      readConformance(...DIR, 'syft__Cargo.lock-with-git-deps'),
    );
  });
});
