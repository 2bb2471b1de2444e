import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { alignSbom, formatAlignText, identityOf } from '../../../src/sbom/align/index.js';
import { buildSbom } from '../../../src/sbom/builder.js';
import { npmPackageLockCataloger } from '../../../src/sbom/catalogers/npm/index.js';
import type { CatalogResult, Component, FileTree } from '../../../src/sbom/model.js';
import { conformancePath } from '../../helpers/conformance.js';
import { comp, doc, omit } from '../quality/sbom-builder.js';

function lockOf(components: Component[], over: Partial<CatalogResult> = {}): CatalogResult {
  return {
    cataloger: 'test-lock',
    sourcePath: 'package-lock.json',
    components,
    rootDependsOn: [],
    ...over,
  };
}

function pypi(name: string, version: string, over: Partial<Component> = {}): Component {
  const purl = `pkg:pypi/${name}@${version}`;
  return comp(name, version, { ref: purl, purl, ecosystem: 'pypi', ...over });
}

describe('identityOf', () => {
  it('drops version, qualifiers and subpath', () => {
    assert.equal(
      identityOf({ purl: 'pkg:maven/org.a/b@1.0?type=jar#x', ecosystem: 'maven', name: 'b' }).key,
      'maven/org.a/b',
    );
  });
  it('normalises PyPI names (PEP 503) and case-insensitive types', () => {
    assert.equal(
      identityOf({ purl: 'pkg:pypi/Foo.Bar_baz@1', ecosystem: 'pypi', name: 'x' }).key,
      'pypi/foo-bar-baz',
    );
    assert.equal(identityOf({ ecosystem: 'pypi', name: 'Foo__Bar' }).key, 'pypi/foo-bar');
    assert.equal(
      identityOf({ purl: 'pkg:nuget/Newtonsoft.Json@13', ecosystem: 'nuget', name: 'x' }).key,
      'nuget/newtonsoft.json',
    );
  });
  it('keeps npm scopes and falls back to the component fields without a purl', () => {
    assert.equal(
      identityOf({ purl: 'pkg:npm/%40babel/core@7.0.0', ecosystem: 'npm', name: 'core' }).key,
      'npm/@babel/core',
    );
    assert.equal(
      identityOf({ ecosystem: 'npm', namespace: '@babel', name: 'core' }).key,
      'npm/@babel/core',
    );
    assert.equal(
      identityOf({ purl: 'not a purl', ecosystem: 'npm', name: 'left-pad' }).key,
      'npm/left-pad',
    );
  });
});

describe('alignSbom', () => {
  it('is ok when the SBOM lists exactly what the lockfile resolved', () => {
    const cs = [comp('a', '1.0.0'), comp('b', '2.0.0')];
    const r = alignSbom(doc(cs), [lockOf(cs)]);
    assert.equal(r.ok, true);
    assert.equal(r.matched, 2);
    assert.deepEqual(r.ecosystems, ['npm']);
    assert.match(formatAlignText(r), /^SBOM ↔ lockfile alignment: OK \(2 package versions matched/);
  });

  it('finds omissions, naming the lockfile', () => {
    const r = alignSbom(doc([comp('a', '1.0.0')]), [
      lockOf([comp('a', '1.0.0'), comp('b', '2.0.0')]),
    ]);
    assert.equal(r.ok, false);
    assert.deepEqual(r.omissions, [
      {
        identity: 'npm/b',
        version: '2.0.0',
        ref: 'pkg:npm/b@2.0.0',
        purl: 'pkg:npm/b@2.0.0',
        sourcePath: 'package-lock.json',
      },
    ]);
  });

  it('finds shadow components, only in ecosystems the lockfiles cover', () => {
    const r = alignSbom(
      doc([comp('a', '1.0.0'), comp('ghost', '1.0.0'), pypi('requests', '2.0.0')]),
      [lockOf([comp('a', '1.0.0')])],
    );
    assert.deepEqual(
      r.shadows.map((s) => `${s.identity}@${s.version}`),
      ['npm/ghost@1.0.0'],
    );
  });

  it('ignores the SBOM subject and the lockfile root', () => {
    const app = comp('app', '1.0.0');
    const r = alignSbom(doc([app, comp('a', '1.0.0')]), [
      lockOf([comp('a', '1.0.0')], { root: { name: 'app', version: '1.0.0', ecosystem: 'npm' } }),
    ]);
    assert.equal(r.ok, true, formatAlignText(r));
  });

  it('reports a version mismatch for the same package at another version', () => {
    const r = alignSbom(doc([comp('a', '1.0.1')]), [lockOf([comp('a', '1.0.0')])]);
    assert.deepEqual(r.versionMismatches, [
      { identity: 'npm/a', sbomVersions: ['1.0.1'], lockVersions: ['1.0.0'] },
    ]);
    assert.deepEqual(r.omissions, []);
    assert.match(formatAlignText(r), /≠ npm\/a: SBOM 1\.0\.1, lockfile 1\.0\.0/);
  });

  it('pairs exact versions first when a package is present at several', () => {
    const r = alignSbom(doc([comp('a', '2.0.0')]), [
      lockOf([comp('a', '1.0.0'), comp('a', '2.0.0', { ref: 'x' })]),
    ]);
    assert.deepEqual(r.versionMismatches, []);
    assert.deepEqual(
      r.omissions.map((o) => o.version),
      ['1.0.0'],
    );
    const s = alignSbom(doc([comp('a', '1.0.0'), comp('a', '3.0.0', { ref: 'y' })]), [
      lockOf([comp('a', '1.0.0')]),
    ]);
    assert.deepEqual(
      s.shadows.map((o) => o.version),
      ['3.0.0'],
    );
  });

  it('reports a hash mismatch for the same algorithm with another digest, not for other algorithms', () => {
    const sbom = comp('a', '1.0.0', { hashes: [{ alg: 'SHA-512', content: 'cd'.repeat(64) }] });
    const lock = comp('a', '1.0.0');
    const r = alignSbom(doc([sbom]), [lockOf([lock])]);
    assert.deepEqual(r.hashMismatches, [
      {
        identity: 'npm/a',
        version: '1.0.0',
        alg: 'SHA512',
        sbom: ['cd'.repeat(64)],
        lock: ['ab'.repeat(64)],
      },
    ]);
    assert.match(formatAlignText(r), /! npm\/a@1\.0\.0 SHA512/);
    const otherAlg = comp('a', '1.0.0', { hashes: [{ alg: 'sha256', content: '00'.repeat(32) }] });
    assert.equal(alignSbom(doc([otherAlg]), [lockOf([lock])]).ok, true);
    const upper = comp('a', '1.0.0', { hashes: [{ alg: 'sha512', content: 'AB'.repeat(64) }] });
    assert.equal(alignSbom(doc([upper]), [lockOf([lock])]).ok, true);
  });

  it('matches PyPI names across spellings and components without purls', () => {
    const sbom = pypi('Foo_Bar', '1.0');
    const lock = omit(pypi('foo-bar', '1.0'), 'purl');
    assert.equal(alignSbom(doc([sbom]), [lockOf([lock])]).ok, true);
  });

  it('reads several lockfiles as one resolution', () => {
    const r = alignSbom(doc([comp('a', '1.0.0'), pypi('b', '1.0')]), [
      lockOf([comp('a', '1.0.0')]),
      lockOf([pypi('b', '1.0')]),
    ]);
    assert.equal(r.ok, true);
    assert.deepEqual(r.ecosystems, ['npm', 'pypi']);
  });

  describe('on the real flink-dashboard package-lock.json', () => {
    const path = conformancePath(
      'lockfiles',
      'npm',
      'cdxgen__flink-dashboard.package-lock.v2.json',
    );
    const bytes = new Uint8Array(readFileSync(path));
    const tree: FileTree = {
      list: () => ['package-lock.json'],
      read: (p) => (p === 'package-lock.json' ? bytes : undefined),
    };
    const lock = npmPackageLockCataloger.catalog('package-lock.json', tree);
    const sbom = () =>
      buildSbom([lock], {
        fallbackName: 'flink-dashboard',
        tool: { name: 'custody', version: '0.1.0' },
      });

    it('an SBOM built from it aligns', () => {
      const r = alignSbom(sbom(), [lock]);
      assert.equal(r.ok, true, formatAlignText(r));
      assert.ok(r.matched > 1000, String(r.matched));
    });

    it('a tampered SBOM shows the omission, the shadow, the version and the hash', () => {
      const d = sbom();
      const [dropped, bumped, rehashed] = d.components;
      assert.ok(dropped && bumped && rehashed);
      d.components = d.components.filter((c) => c !== dropped);
      bumped.version = '999.0.0';
      if (bumped.purl) bumped.purl = bumped.purl.replace(/@[^@]*$/, '@999.0.0');
      rehashed.hashes = rehashed.hashes.map((h) => ({
        ...h,
        content: '0'.repeat(h.content.length),
      }));
      d.components.push(comp('not-in-the-lockfile', '1.0.0'));
      const r = alignSbom(d, [lock]);
      assert.equal(r.omissions.length, 1);
      assert.equal(r.shadows.length, 1);
      assert.equal(r.versionMismatches.length, 1);
      assert.equal(r.hashMismatches.length, 1);
    });
  });
});
