import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { generateSbom } from '../../src/app/generate-sbom.js';
import { indexRows, packageKey, purlKey } from '../../src/inventory/index-rows.js';
import type { Component, SbomDocument } from '../../src/sbom/model.js';
import { REPO_ROOT } from '../helpers/conformance.js';

function component(ref: string, over: Partial<Component> = {}): Component {
  return {
    ref,
    type: 'library',
    ecosystem: 'npm',
    name: ref,
    hashes: [],
    licenses: [],
    dependsOn: [],
    ...over,
  };
}

function doc(components: Component[], subject?: Partial<Component>): SbomDocument {
  return {
    format: 'cyclonedx',
    specVersion: '1.6',
    tools: [],
    authors: [],
    ...(subject ? { subject: component('app', { type: 'application', ...subject }) } : {}),
    components,
    hasDependencyGraph: subject?.dependsOn !== undefined,
    properties: {},
    unmapped: [],
  };
}

describe('indexRows', () => {
  it('makes purls canonical and keys the package without version, qualifiers or subpath', () => {
    const rows = indexRows(
      doc([
        component('a', {
          name: 'core',
          namespace: '@babel',
          version: '7.0.0',
          purl: 'pkg:npm/@babel/core@7.0.0',
        }),
        component('b', { name: 'core', purl: 'pkg:npm/%40babel/core@7.0.0' }),
        component('c', {
          name: 'commons',
          ecosystem: 'maven',
          purl: 'pkg:maven/org.apache/commons@1.0?type=jar&classifier=sources#sub/path',
        }),
        component('d', { name: 'Flask', ecosystem: 'pypi', purl: 'pkg:PYPI/Flask@2.0' }),
      ]),
    );
    assert.equal(rows[0]?.purl, 'pkg:npm/%40babel/core@7.0.0');
    assert.equal(rows[0]?.package, 'pkg:npm/%40babel/core');
    // The %40 spelling and the bare @ index the same way: a search for one finds the other.
    assert.equal(rows[1]?.purl, rows[0]?.purl);
    assert.equal(rows[1]?.package, rows[0]?.package);
    // A component without its own version takes the purl's.
    assert.equal(rows[1]?.version, '7.0.0');
    assert.equal(
      rows[2]?.purl,
      'pkg:maven/org.apache/commons@1.0?classifier=sources&type=jar#sub/path',
    );
    assert.equal(rows[2]?.package, 'pkg:maven/org.apache/commons');
    assert.equal(rows[2]?.ecosystem, 'maven');
    // Type lower-cased, and PyPI names normalised as the purl spec says.
    assert.equal(rows[3]?.purl, 'pkg:pypi/flask@2.0');
    assert.equal(rows[3]?.package, 'pkg:pypi/flask');
    assert.equal(rows[3]?.ecosystem, 'pypi');
  });

  it('purlKey and packageKey agree on the spelling', () => {
    const k = purlKey('pkg:npm/%40babel/core@7.0.0');
    assert.deepEqual(k, {
      purl: 'pkg:npm/%40babel/core@7.0.0',
      package: 'pkg:npm/%40babel/core',
      type: 'npm',
      version: '7.0.0',
    });
    assert.equal(packageKey('npm', '@babel', 'core'), k?.package);
    assert.equal(purlKey(undefined), undefined);
    assert.equal(purlKey(''), undefined);
    assert.equal(purlKey('not a purl'), undefined);
  });

  it('components without a purl (or with an invalid one) keep name, version and ecosystem', () => {
    const rows = indexRows(
      doc([
        component('x', { name: 'Apache Commons Lang', ecosystem: '' }),
        component('y', { name: 'glibc', ecosystem: 'generic', version: '2.11.1', purl: 'pkg:' }),
      ]),
    );
    assert.deepEqual(
      rows.map((r) => [r.purl, r.package, r.name, r.version, r.ecosystem]),
      [
        [null, null, 'Apache Commons Lang', null, null],
        [null, null, 'glibc', '2.11.1', 'generic'],
      ],
    );
  });

  it('direct when the subject depends on it; transitive otherwise, and with no graph at all', () => {
    const comps = [component('a'), component('b', { dependsOn: ['c'] }), component('c')];
    const withGraph = indexRows(doc(comps, { dependsOn: ['a', 'b'] }));
    assert.deepEqual(
      withGraph.map((r) => r.direct),
      [true, true, false],
    );
    assert.deepEqual(
      indexRows(doc(comps)).map((r) => r.direct),
      [false, false, false],
    );
  });

  it('licence ids from expressions, joined text for display, hashes lower-cased', () => {
    const [r] = indexRows(
      doc([
        component('a', {
          licenses: ['MIT OR Apache-2.0', 'mit', 'NOASSERTION', 'Custom licence'],
          hashes: [
            {
              alg: 'SHA-256',
              content: 'ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789',
            },
            { alg: 'SHA-1', content: 'DA39A3EE5E6B4B0D3255BFEF95601890AFD80709' },
          ],
        }),
      ]),
    );
    assert.deepEqual(r?.licenses, ['MIT', 'Apache-2.0', 'Custom licence']);
    assert.equal(r?.licenseText, '(MIT OR Apache-2.0) AND mit AND NOASSERTION AND Custom licence');
    assert.deepEqual(r?.hashes, [
      { alg: 'SHA-256', value: 'abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789' },
      { alg: 'SHA-1', value: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' },
    ]);
    const [none] = indexRows(doc([component('b')]));
    assert.equal(none?.licenseText, null);
    assert.deepEqual(none?.licenses, []);
  });

  it('demo-app: 75 rows, the four direct dependencies of the subject, every purl canonical', async () => {
    const g = await generateSbom(join(REPO_ROOT, 'examples/demo-app'), { deterministic: true });
    const rows = indexRows(g.document);
    assert.equal(rows.length, 75);
    assert.deepEqual(
      rows.filter((r) => r.direct).map((r) => r.purl),
      [
        'pkg:npm/express@4.21.2',
        'pkg:npm/lodash@4.17.20',
        'pkg:npm/semver@7.6.3',
        'pkg:npm/yaml@2.6.1',
      ],
    );
    for (const r of rows) {
      assert.ok(r.purl?.startsWith(`${r.package}@`), r.purl ?? r.name);
      assert.equal(r.ecosystem, 'npm');
      for (const h of r.hashes) assert.equal(h.value, h.value.toLowerCase());
    }
  });
});
