import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { npmPackageLockCataloger as cat } from '../../../../src/sbom/catalogers/npm/index.js';
import type { CatalogResult, Component } from '../../../../src/sbom/model.js';
import { conformancePath, listConformance } from '../../../helpers/conformance.js';
import { memoryTree, nv, treeOfFile } from './memory-tree.js';

const LOCKS = listConformance('lockfiles', 'npm').filter((f) => !f.endsWith('package.json'));

function catalogConformance(file: string): CatalogResult {
  return cat.catalog(file, treeOfFile(conformancePath('lockfiles', 'npm', file), file));
}

function byNv(r: CatalogResult, key: string): Component {
  const c = r.components.find((x) => nv(x) === key);
  assert.ok(c, `${key} not found`);
  return c;
}

// The oracle: unique name@version straight from the raw JSON, without the cataloger's code.
function independentCount(raw: Record<string, unknown>): number {
  const seen = new Set<string>();
  const packages = raw['packages'] as Record<string, Record<string, unknown>> | undefined;
  if (packages) {
    for (const [key, e] of Object.entries(packages)) {
      if (key === '' || e['link'] === true) continue;
      const name = (e['name'] as string | undefined) ?? key.split('node_modules/').pop() ?? key;
      seen.add(`${name}@${e['version']}`);
    }
    return seen.size;
  }
  const walk = (deps: Record<string, Record<string, unknown>>): void => {
    for (const [name, e] of Object.entries(deps)) {
      const v = e['version'] as string;
      const alias = /^npm:(@?[^@]+)@(.+)$/.exec(v);
      seen.add(alias ? `${alias[1]}@${alias[2]}` : `${name}@${v}`);
      if (e['dependencies']) walk(e['dependencies'] as Record<string, Record<string, unknown>>);
    }
  };
  walk((raw['dependencies'] ?? {}) as Record<string, Record<string, unknown>>);
  return seen.size;
}

describe('npmPackageLockCataloger on the conformance lockfiles', () => {
  it('finds lockfiles to test', () => assert.ok(LOCKS.length >= 6));
  for (const file of LOCKS) {
    it(`catalogs ${file} completely and consistently`, () => {
      const raw = JSON.parse(readFileSync(conformancePath('lockfiles', 'npm', file), 'utf8'));
      const r = catalogConformance(file);
      assert.equal(r.components.length, independentCount(raw));
      const refs = new Set(r.components.map((c) => c.ref));
      assert.equal(refs.size, r.components.length, 'refs are unique');
      for (const c of r.components) {
        assert.equal(c.ref, c.purl);
        for (const d of c.dependsOn) assert.ok(refs.has(d), `${c.ref} -> ${d} dangles`);
        assert.ok(c.properties?.['custody:npm:path']);
      }
      for (const d of r.rootDependsOn) assert.ok(refs.has(d));
      assert.ok(r.rootDependsOn.length > 0);
      assert.equal(r.root?.name, raw.name);
      assert.deepEqual(
        cat.catalog(file, treeOfFile(conformancePath('lockfiles', 'npm', file), file)),
        r,
      );
      assert.ok(
        cat.sniff(
          file,
          readFileSync(conformancePath('lockfiles', 'npm', file), 'utf8').slice(0, 512),
        ),
      );
    });
  }
});

describe('npmPackageLockCataloger spot checks', () => {
  it('gives npm aliases the purl of the real package (syft alias lockfile)', () => {
    const r = catalogConformance('syft__alias-package-lock-2.json');
    assert.deepEqual(r.components.map((c) => c.purl).sort(), [
      'pkg:npm/%40bundled-es-modules/chai@4.2.2',
      'pkg:npm/case@1.6.2',
      'pkg:npm/case@1.6.3',
    ]);
    const chai = byNv(r, '@bundled-es-modules/chai@4.2.2');
    assert.equal(chai.namespace, '@bundled-es-modules');
    assert.equal(chai.name, '@bundled-es-modules/chai');
    assert.equal(chai.properties?.['custody:npm:path'], 'node_modules/chai');
    assert.equal(r.rootDependsOn.length, 3);
    assert.deepEqual(r.root, {
      name: 'alias-check',
      version: '1.0.0',
      ecosystem: 'npm',
      purl: 'pkg:npm/alias-check@1.0.0',
    });
  });

  it('reads v3 entries: scoped purls, SHA-512 from integrity, dev scope, edges (cdxgen)', () => {
    const r = catalogConformance('cdxgen__cdxgen.package-lock.v3.json');
    const remapping = byNv(r, '@ampproject/remapping@2.2.1');
    assert.equal(remapping.purl, 'pkg:npm/%40ampproject/remapping@2.2.1');
    assert.equal(remapping.namespace, '@ampproject');
    assert.equal(remapping.scope, 'dev');
    const raw = JSON.parse(
      readFileSync(
        conformancePath('lockfiles', 'npm', 'cdxgen__cdxgen.package-lock.v3.json'),
        'utf8',
      ),
    );
    const sri: string = raw.packages['node_modules/@ampproject/remapping'].integrity;
    assert.ok(sri.startsWith('sha512-'));
    assert.deepEqual(remapping.hashes, [
      { alg: 'SHA-512', content: Buffer.from(sri.slice(7), 'base64').toString('hex') },
    ]);
    assert.deepEqual(remapping.dependsOn, [
      'pkg:npm/%40jridgewell/gen-mapping@0.3.3',
      'pkg:npm/%40jridgewell/trace-mapping@0.3.18',
    ]);
    const parser = byNv(r, '@babel/parser@7.21.8');
    assert.equal(parser.scope, 'required');
    assert.ok(r.rootDependsOn.includes(parser.ref));
  });

  it('reads a v1 tree with sha1 integrity and requires (x-tag)', () => {
    const r = catalogConformance('cdxgen__x-tag.package-lock.v1.json');
    const arrDiff = byNv(r, 'arr-diff@2.0.0');
    assert.equal(arrDiff.scope, 'dev');
    assert.deepEqual(arrDiff.hashes, [
      {
        alg: 'SHA-1',
        content: Buffer.from('jzuCf5Vai9ZpaX5KQlasPOrjVs8=', 'base64').toString('hex'),
      },
    ]);
    assert.deepEqual(arrDiff.dependsOn, ['pkg:npm/arr-flatten@1.1.0']);
    assert.equal(byNv(r, '@webcomponents/custom-elements@1.0.9').scope, 'required');
    assert.ok(r.rootDependsOn.includes('pkg:npm/%40webcomponents/custom-elements@1.0.9'));
  });

  it('makes workspace folders components the project depends on (v2 workspace)', () => {
    const r = catalogConformance('cdxgen__v2-workspace.package-lock.json');
    const app = byNv(r, 'app@0.0.0');
    assert.equal(app.properties?.['custody:npm:workspace'], 'true');
    assert.equal(app.properties?.['custody:npm:path'], 'app');
    assert.ok(app.dependsOn.includes('pkg:npm/react@18.2.0'));
    for (const ws of ['app', 'edge', 'scripts']) {
      assert.ok(r.rootDependsOn.includes(`pkg:npm/${ws}@0.0.0`), ws);
    }
  });

  it('marks bundled dependencies cdx:npm:package:bundled when every copy is bundled (x-tag v1)', () => {
    const raw = JSON.parse(
      readFileSync(
        conformancePath('lockfiles', 'npm', 'cdxgen__x-tag.package-lock.v1.json'),
        'utf8',
      ),
    ) as { dependencies: Record<string, Record<string, unknown>> };
    // The oracle: name@version whose every copy in the raw tree says `bundled: true`.
    const allBundled = new Map<string, boolean>();
    const walk = (deps: Record<string, Record<string, unknown>>): void => {
      for (const [name, e] of Object.entries(deps)) {
        const key = `${name}@${e['version']}`;
        allBundled.set(key, (allBundled.get(key) ?? true) && e['bundled'] === true);
        if (e['dependencies']) walk(e['dependencies'] as Record<string, Record<string, unknown>>);
      }
    };
    walk(raw.dependencies);
    const expected = [...allBundled]
      .filter(([, b]) => b)
      .map(([k]) => k)
      .sort();
    const r = catalogConformance('cdxgen__x-tag.package-lock.v1.json');
    const marked = r.components
      .filter((c) => c.properties?.['cdx:npm:package:bundled'] === 'true')
      .map(nv)
      .sort();
    assert.equal(marked.length, 374);
    assert.deepEqual(marked, expected);
    for (const c of r.components.filter((x) => x.hashes.length === 0)) {
      assert.equal(c.properties?.['cdx:npm:package:bundled'], 'true', nv(c));
    }
  });

  it('reads v2/v3 inBundle, and a copy fetched on its own clears the mark', () => {
    const sri = (n: number) => `sha512-${Buffer.alloc(64, n).toString('base64')}`;
    const lock = {
      name: 'p',
      version: '1.0.0',
      lockfileVersion: 3,
      packages: {
        '': { name: 'p', version: '1.0.0', dependencies: { a: '1.0.0', b: '1.0.0' } },
        'node_modules/a': {
          version: '1.0.0',
          integrity: sri(1),
          bundleDependencies: ['x', 'y'],
        },
        'node_modules/a/node_modules/x': { version: '1.0.0', inBundle: true },
        'node_modules/a/node_modules/y': { version: '2.0.0', inBundle: true },
        'node_modules/b': {
          version: '1.0.0',
          integrity: sri(2),
          dependencies: { y: '2.0.0' },
        },
        'node_modules/b/node_modules/y': { version: '2.0.0', integrity: sri(3) },
      },
    };
    const r = cat.catalog(
      'package-lock.json',
      memoryTree({ 'package-lock.json': JSON.stringify(lock) }),
    );
    assert.equal(byNv(r, 'x@1.0.0').properties?.['cdx:npm:package:bundled'], 'true');
    assert.equal(byNv(r, 'y@2.0.0').properties?.['cdx:npm:package:bundled'], undefined);
    assert.equal(byNv(r, 'y@2.0.0').hashes.length, 1);
    assert.equal(byNv(r, 'a@1.0.0').properties?.['cdx:npm:package:bundled'], undefined);
  });

  it('uses the package.json beside a v1 lockfile for the project’s direct dependencies', () => {
    const lock = readFileSync(
      conformancePath('lockfiles', 'npm', 'cdxgen__x-tag.package-lock.v1.json'),
    );
    const r = cat.catalog(
      'p/package-lock.json',
      memoryTree({
        'p/package-lock.json': lock,
        'p/package.json': JSON.stringify({ dependencies: { 'arr-diff': '^2.0.0' } }),
      }),
    );
    assert.deepEqual(r.rootDependsOn, ['pkg:npm/arr-diff@2.0.0']);
  });
});

// What `npm sbom` (npm 11.19.1) wrote for the same lockfiles. Differences by design: npm marks a
// package installed at several paths with its first path's dev flag; Custody keeps one component
// per purl with the most required scope of its copies (a package needed in production is required).
describe('npmPackageLockCataloger against npm sbom', () => {
  for (const [file, sample] of [
    ['cdxgen__flink-dashboard.package-lock.v2.json', 'flink-dashboard-lockonly'],
    ['cdxgen__cdxgen.package-lock.v3.json', 'cdxgen-lockonly'],
  ] as const) {
    it(`finds the same packages, edges and dev flags as npm sbom for ${file}`, () => {
      const r = catalogConformance(file);
      const doc = JSON.parse(
        readFileSync(
          conformancePath('sbom-samples', 'generated-by-npm-tools', sample, 'npm-sbom.cdx.json'),
          'utf8',
        ),
      );
      type CdxComponent = {
        name: string;
        version: string;
        purl: string;
        properties?: { name: string }[];
      };
      const theirs: CdxComponent[] = doc.components;
      assert.deepEqual(r.components.map((c) => nv(c)).sort(), theirs.map((c) => nv(c)).sort());
      assert.deepEqual(r.components.map((c) => c.purl).sort(), theirs.map((c) => c.purl).sort());
      const byRef = new Map(r.components.map((c) => [c.ref, c]));
      const ours = new Set<string>();
      for (const c of r.components) {
        for (const d of c.dependsOn) ours.add(`${nv(c)} -> ${nv(byRef.get(d) as Component)}`);
      }
      const rootRef = doc.metadata.component['bom-ref'];
      const their = new Set<string>();
      let rootDeps = 0;
      for (const dep of doc.dependencies as { ref: string; dependsOn?: string[] }[]) {
        if (dep.ref === rootRef) rootDeps = dep.dependsOn?.length ?? 0;
        else for (const t of dep.dependsOn ?? []) their.add(`${dep.ref} -> ${t}`);
      }
      assert.deepEqual([...ours].sort(), [...their].sort());
      assert.equal(r.rootDependsOn.length, rootDeps);
      for (const c of theirs) {
        const dev = (c.properties ?? []).some((p) => p.name === 'cdx:npm:package:development');
        const o = r.components.find((x) => nv(x) === nv(c)) as Component;
        if (!dev) assert.notEqual(o.scope, 'dev', nv(c));
        else if (o.scope !== 'dev') {
          // the only allowed difference: a copy elsewhere in the tree is not dev
          assert.equal(o.scope, 'required', nv(c));
        }
      }
    });
  }
});
