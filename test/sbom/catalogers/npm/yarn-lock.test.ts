import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { yarnLockCataloger as cat } from '../../../../src/sbom/catalogers/npm/index.js';
import { SbomError } from '../../../../src/sbom/errors.js';
import type { CatalogResult, Component } from '../../../../src/sbom/model.js';
import { conformancePath, listConformance } from '../../../helpers/conformance.js';
import { expectCustodyError } from '../../../helpers/expect-error.js';
import { memoryTree, nv, treeOfFile } from './memory-tree.js';

const LOCKS = listConformance('lockfiles', 'yarn');

function catalogConformance(file: string): CatalogResult {
  return cat.catalog(file, treeOfFile(conformancePath('lockfiles', 'yarn', file), file));
}

// The oracle, by regular expressions over the raw text: unique name@version of the entries,
// leaving out Berry's workspaces and taking a patch's name from the npm locator it wraps.
function independentNames(text: string): Set<string> {
  const out = new Set<string>();
  const berry = text.includes('__metadata:');
  for (const chunk of text.split(/\n(?=\S)/)) {
    const version = /\n {2}version:? "?([^"\n]+)"?/.exec(chunk)?.[1];
    if (!version) continue;
    if (berry) {
      const res = /\n {2}resolution: "(@?[^@"]+)@([^"]+)"/.exec(chunk);
      if (!res || res[2]?.startsWith('workspace:')) continue;
      out.add(`${res[1]}@${version}`);
    } else {
      const key = /^"?(@?[^@"]+)@(npm:(@?[^@"]+)@)?/.exec(chunk);
      out.add(`${key?.[3] ?? key?.[1]}@${version}`);
    }
  }
  return out;
}

describe('yarnLockCataloger on the conformance lockfiles', () => {
  it('finds lockfiles to test', () => assert.ok(LOCKS.length >= 6));
  for (const file of LOCKS) {
    it(`catalogs ${file} completely and consistently`, () => {
      const text = readFileSync(conformancePath('lockfiles', 'yarn', file), 'utf8');
      const r = catalogConformance(file);
      const expected = independentNames(text);
      const workspaces = r.components.filter((c) => c.properties?.['custody:yarn:workspace']);
      assert.deepEqual(
        r.components
          .filter((c) => !workspaces.includes(c))
          .map(nv)
          .sort(),
        [...expected].sort(),
      );
      const refs = new Set(r.components.map((c) => c.ref));
      assert.equal(refs.size, r.components.length);
      for (const c of r.components) {
        for (const d of c.dependsOn) assert.ok(refs.has(d), `${c.ref} -> ${d} dangles`);
      }
      for (const d of r.rootDependsOn) assert.ok(refs.has(d));
      assert.ok(cat.sniff(file, text.slice(0, 512)));
    });
  }
});

describe('yarnLockCataloger spot checks', () => {
  const get = (r: CatalogResult, key: string): Component => {
    const c = r.components.find((x) => nv(x) === key);
    assert.ok(c, key);
    return c;
  };

  it('reads v1 integrity as a tarball hash and follows descriptors (yarn-multi)', () => {
    const r = catalogConformance('cdxgen__yarn-multi.lock');
    const client = get(r, '@apollo/client@3.2.5');
    assert.equal(client.purl, 'pkg:npm/%40apollo/client@3.2.5');
    assert.equal(client.namespace, '@apollo');
    const sri =
      'zpruxnFMz6K94gs2pqc3sidzFDbQpKT5D6P/J/I9s8ekHZ5eczgnRp6pqXC86Bh7+44j/btpmOT0kwiboyqTnA==';
    assert.deepEqual(client.hashes, [
      { alg: 'SHA-512', content: Buffer.from(sri, 'base64').toString('hex') },
    ]);
    assert.equal(client.dependsOn.length, 13);
    assert.ok(client.dependsOn.some((d) => d.startsWith('pkg:npm/%40wry/context@')));
  });

  it('keeps Berry checksums as a property, not as a tarball hash (yarn-at)', () => {
    const r = catalogConformance('cdxgen__yarn-at.lock');
    const yjs = get(r, '@ac-synth/yjs@13.5.39-alpha1');
    assert.deepEqual(yjs.hashes, []);
    assert.match(yjs.properties?.['custody:yarn:checksum'] ?? '', /^244f7755657255ad/);
    assert.deepEqual(yjs.dependsOn, ['pkg:npm/lib0@0.2.63']);
    assert.deepEqual(get(r, 'lib0@0.2.63').dependsOn, ['pkg:npm/isomorphic.js@0.2.5']);
    assert.deepEqual(r.rootDependsOn, ['pkg:npm/%40ac-synth/yjs@13.5.39-alpha1']);
    assert.equal(r.root?.name, 'root-workspace-0b6124');
  });

  it('merges a Berry patch into the package it patches (yarnv2 resolve)', () => {
    const r = catalogConformance('cdxgen__yarnv2.lock');
    const resolve = r.components.filter((c) => c.name === 'resolve');
    assert.deepEqual(resolve.map(nv).sort(), ['resolve@1.1.7', 'resolve@1.20.0']);
  });

  it('reads Berry v8 protocol-prefixed ranges and non-npm resolutions (yarnv4)', () => {
    const r = catalogConformance('cdxgen__yarnv4.lock');
    const preset = get(r, '@algolia/autocomplete-preset-algolia@1.7.1');
    assert.deepEqual(preset.dependsOn, ['pkg:npm/%40algolia/autocomplete-shared@1.7.1']);
    const pem = r.components.find((c) => c.name === 'pem');
    assert.match(pem?.properties?.['custody:yarn:resolution'] ?? '', /github\.com\/dexus\/pem/);
  });

  it('derives scopes from package.json and aliases from npm: ranges (v1)', () => {
    const lock = [
      '# yarn lockfile v1',
      '',
      'a@^1.0.0:',
      '  version "1.0.0"',
      '  dependencies:',
      '    c "^1.0.0"',
      '',
      '"b-alias@npm:b@^2.0.0":',
      '  version "2.0.0"',
      '  optionalDependencies:',
      '    c "^1.0.0"',
      '',
      'c@^1.0.0:',
      '  version "1.1.0"',
      '',
      '"d@^1", "d@^1.2":',
      '  version "1.2.0"',
      '',
    ].join('\n');
    const manifest = {
      name: 'proj',
      version: '3.0.0',
      dependencies: { 'b-alias': 'npm:b@^2.0.0' },
      devDependencies: { a: '^1.0.0', d: '^1' },
    };
    const r = cat.catalog(
      'yarn.lock',
      memoryTree({ 'yarn.lock': lock, 'package.json': JSON.stringify(manifest) }),
    );
    const scope = (k: string) => r.components.find((c) => nv(c) === k)?.scope;
    assert.equal(scope('a@1.0.0'), 'dev');
    assert.equal(scope('b@2.0.0'), 'required');
    assert.equal(scope('c@1.1.0'), 'optional'); // required only through b's optional dependency
    assert.equal(scope('d@1.2.0'), 'dev');
    assert.deepEqual(r.rootDependsOn, ['pkg:npm/a@1.0.0', 'pkg:npm/b@2.0.0', 'pkg:npm/d@1.2.0']);
    assert.deepEqual(r.root, {
      name: 'proj',
      version: '3.0.0',
      ecosystem: 'npm',
      purl: 'pkg:npm/proj@3.0.0',
    });
  });

  it('rejects malformed text with SBOM_LOCKFILE_PARSE naming the file', () => {
    for (const text of ['a@1:\n  version "1', 'a@1:\n      version 1\n   x 2', 'a@1 1\n']) {
      const e = expectCustodyError(
        () => cat.catalog('w/yarn.lock', memoryTree({ 'w/yarn.lock': text })),
        SbomError,
        'SBOM_LOCKFILE_PARSE',
      );
      assert.match(e.message, /w\/yarn\.lock/);
    }
  });
});
