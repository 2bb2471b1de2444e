import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { pnpmLockCataloger as cat } from '../../../../src/sbom/catalogers/npm/index.js';
import { SbomError } from '../../../../src/sbom/errors.js';
import type { CatalogResult, Component } from '../../../../src/sbom/model.js';
import { conformancePath, listConformance } from '../../../helpers/conformance.js';
import { expectCustodyError } from '../../../helpers/expect-error.js';
import { memoryTree, nv, treeOfFile } from './memory-tree.js';

const LOCKS = listConformance('lockfiles', 'pnpm');

function catalogConformance(file: string): CatalogResult {
  return cat.catalog(file, treeOfFile(conformancePath('lockfiles', 'pnpm', file), file));
}

// The oracle: unique name@version of the `packages` keys, split by regular expressions.
function independentNames(doc: Record<string, unknown>): Set<string> {
  const v5 = Number.parseFloat(String(doc['lockfileVersion'])) < 6;
  const out = new Set<string>();
  const packages = (doc['packages'] ?? {}) as Record<string, Record<string, unknown> | null>;
  for (const [key, e] of Object.entries(packages)) {
    const m = v5
      ? /^\/?(@[^/]+\/[^/]+|[^/@][^/]*)\/([^_/]+)/.exec(key)
      : /^\/?(@?[^@]+)@([^(]+)/.exec(key);
    out.add(`${e?.['name'] ?? m?.[1]}@${e?.['version'] ?? m?.[2]}`);
  }
  return out;
}

describe('pnpmLockCataloger on the conformance lockfiles', () => {
  it('finds lockfiles to test', () => assert.ok(LOCKS.length >= 6));
  for (const file of LOCKS) {
    it(`catalogs ${file} completely and consistently`, () => {
      const text = readFileSync(conformancePath('lockfiles', 'pnpm', file), 'utf8');
      const r = catalogConformance(file);
      const doc = parse(text) as Record<string, unknown>;
      const importers = r.components.filter((c) => c.properties?.['custody:pnpm:importer']);
      assert.deepEqual(
        r.components
          .filter((c) => !importers.includes(c))
          .map(nv)
          .sort(),
        [...independentNames(doc)].sort(),
      );
      const refs = new Set(r.components.map((c) => c.ref));
      assert.equal(refs.size, r.components.length);
      for (const c of r.components) {
        for (const d of c.dependsOn) assert.ok(refs.has(d), `${c.ref} -> ${d} dangles`);
      }
      assert.ok(r.rootDependsOn.length > 0);
      for (const d of r.rootDependsOn) assert.ok(refs.has(d));
      assert.ok(cat.sniff(file, text.slice(0, 512)));
    });
  }
});

describe('pnpmLockCataloger spot checks', () => {
  const get = (r: CatalogResult, key: string): Component => {
    const c = r.components.find((x) => nv(x) === key);
    assert.ok(c, key);
    return c;
  };

  it('reads v5 keys, dev flags and integrity (pnpm-lock3)', () => {
    const r = catalogConformance('cdxgen__pnpm-lock3.yaml');
    const scandir = get(r, '@nodelib/fs.scandir@2.1.5');
    assert.equal(scandir.purl, 'pkg:npm/%40nodelib/fs.scandir@2.1.5');
    assert.equal(scandir.scope, 'required');
    assert.deepEqual(scandir.dependsOn, [
      'pkg:npm/%40nodelib/fs.stat@2.0.5',
      'pkg:npm/run-parallel@1.2.0',
    ]);
    const sri =
      'vq24Bq3ym5HEQm2NKCr3yXDwjc7vTsEThRDnkp2DK9p1uqLR+DHurm/NOTo0KG7HYHU7eppKZj3MyqYuMBf62g==';
    assert.deepEqual(scandir.hashes, [
      { alg: 'SHA-512', content: Buffer.from(sri, 'base64').toString('hex') },
    ]);
    assert.equal(get(r, '@types/node@17.0.31').scope, 'dev');
    assert.ok(r.rootDependsOn.includes('pkg:npm/verdaccio@5.10.1'));
  });

  it('merges peer-dependency variants and resolves peer-suffixed versions (syft v6)', () => {
    const r = catalogConformance('syft__pnpm-v6.pnpm-lock.yaml');
    const rtl = get(r, '@testing-library/react@13.4.0');
    assert.ok(rtl.dependsOn.includes('pkg:npm/react-dom@18.2.0'));
    assert.ok(rtl.dependsOn.includes('pkg:npm/react@18.2.0'));
    assert.equal(r.components.filter((c) => c.name === 'react-dom').length, 1);
    assert.ok(r.rootDependsOn.includes('pkg:npm/%40testing-library/react@13.4.0'));
  });

  it('reads v9 packages and snapshots with nested peer suffixes (pnpm-lock9b)', () => {
    const r = catalogConformance('cdxgen__pnpm-lock9b.yaml');
    const forms = get(r, '@angular/forms@17.3.11');
    assert.equal(forms.scope, 'required');
    assert.ok(forms.dependsOn.includes('pkg:npm/%40angular/core@17.3.11'));
    assert.ok(forms.dependsOn.some((d) => d.startsWith('pkg:npm/tslib@')));
    assert.ok(r.rootDependsOn.includes('pkg:npm/%40angular/forms@17.3.11'));
  });

  it('makes workspace importers components named by their package.json (bytemd)', () => {
    const lock = readFileSync(
      conformancePath('lockfiles', 'pnpm', 'cdxgen__bytemd-pnpm-lock.yaml'),
    );
    const r = cat.catalog(
      'pnpm-lock.yaml',
      memoryTree({
        'pnpm-lock.yaml': lock,
        'package.json': JSON.stringify({ name: 'bytemd-monorepo', version: '0.0.0' }),
        'packages/bytemd/package.json': JSON.stringify({ name: 'bytemd', version: '1.21.0' }),
      }),
    );
    const bytemd = get(r, 'bytemd@1.21.0');
    assert.equal(bytemd.properties?.['custody:pnpm:importer'], 'packages/bytemd');
    assert.ok(bytemd.dependsOn.length > 0);
    assert.equal(r.root?.name, 'bytemd-monorepo');
    assert.ok(r.rootDependsOn.includes(bytemd.ref));
  });

  it('derives v9 scopes from importers, aliases and optional edges', () => {
    const lock = [
      "lockfileVersion: '9.0'",
      'importers:',
      '  .:',
      '    dependencies:',
      '      a:',
      '        specifier: ^1.0.0',
      '        version: 1.0.0(c@1.10.0)',
      '      b-alias:',
      '        specifier: npm:b@2',
      '        version: b@2.0.0',
      '    devDependencies:',
      '      d:',
      '        specifier: ^1',
      '        version: 1.0.0',
      'packages:',
      '  a@1.0.0:',
      '    resolution: {integrity: sha512-AAAA}',
      '  b@2.0.0:',
      '    resolution: {integrity: sha512-AAAA}',
      '  c@1.10.0:',
      '    resolution: {integrity: sha512-AAAA}',
      '  d@1.0.0:',
      '    resolution: {integrity: sha512-AAAA}',
      'snapshots:',
      '  a@1.0.0(c@1.10.0):',
      '    optionalDependencies:',
      '      c: 1.10.0',
      '  b@2.0.0: {}',
      '  c@1.10.0: {}',
      '  d@1.0.0:',
      '    dependencies:',
      '      c: 1.10.0',
      '',
    ].join('\n');
    const r = cat.catalog('pnpm-lock.yaml', memoryTree({ 'pnpm-lock.yaml': lock }));
    const scope = (k: string) => r.components.find((c) => nv(c) === k)?.scope;
    assert.equal(scope('a@1.0.0'), 'required');
    assert.equal(scope('b@2.0.0'), 'required');
    assert.equal(scope('c@1.10.0'), 'optional'); // 1.10 stays a string, not the number 1.1
    assert.equal(scope('d@1.0.0'), 'dev');
    assert.deepEqual(r.rootDependsOn, ['pkg:npm/a@1.0.0', 'pkg:npm/b@2.0.0', 'pkg:npm/d@1.0.0']);
  });

  it('rejects malformed YAML and non-lockfiles with SBOM_LOCKFILE_PARSE', () => {
    for (const text of ['lockfileVersion: [', 'a: 1\n', '- 1\n', 'lockfileVersion: x\n']) {
      const e = expectCustodyError(
        () => cat.catalog('p/pnpm-lock.yaml', memoryTree({ 'p/pnpm-lock.yaml': text })),
        SbomError,
        'SBOM_LOCKFILE_PARSE',
      );
      assert.match(e.message, /p\/pnpm-lock\.yaml/);
    }
  });
});
