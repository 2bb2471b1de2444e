import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSbom } from '../../src/formats/index.js';
import { readConformance } from '../helpers/conformance.js';

const bom = {
  bomFormat: 'CycloneDX',
  specVersion: '1.6',
  serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
  version: 3,
  metadata: {
    timestamp: '2024-05-01T10:00:00Z',
    tools: {
      components: [{ type: 'application', group: 'acme', name: 'scanner', version: '2.1' }],
    },
    authors: [{ name: 'Ada' }],
    component: { type: 'application', 'bom-ref': 'app', name: 'shop', version: '1.0.0' },
    properties: [{ name: 'custody:lockfile:sha256', value: 'abc' }],
  },
  components: [
    {
      type: 'library',
      'bom-ref': 'pkg:npm/%40babel/core@7.0.0',
      supplier: { name: 'Babel' },
      author: 'Sebastian',
      group: '@babel',
      name: 'core',
      version: '7.0.0',
      scope: 'excluded',
      hashes: [
        {
          alg: 'SHA-256',
          content: 'ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF01234567',
        },
      ],
      licenses: [{ license: { id: 'MIT' } }, { license: { name: 'Custom' } }],
      purl: 'pkg:npm/%40babel/core@7.0.0',
      cpe: 'cpe:2.3:a:babel:core:7.0.0:*:*:*:*:*:*:*',
      properties: [{ name: 'cdx:npm:package:path', value: 'node_modules/@babel/core' }],
      externalReferences: [{ type: 'website', url: 'https://babeljs.io' }],
      components: [{ type: 'library', 'bom-ref': 'inner', name: 'inner', version: '0.1' }],
    },
    { type: 'framework', name: 'nameless-ref', licenses: [{ expression: 'MIT OR Apache-2.0' }] },
  ],
  services: [{ name: 'api' }],
  vulnerabilities: [],
  dependencies: [
    { ref: 'app', dependsOn: ['pkg:npm/%40babel/core@7.0.0'] },
    { ref: 'pkg:npm/%40babel/core@7.0.0', dependsOn: ['inner'] },
  ],
};

describe('parseSbom (CycloneDX JSON)', () => {
  const doc = parseSbom(JSON.stringify(bom), 'bom.json');

  it('reads document facts', () => {
    assert.equal(doc.format, 'cyclonedx');
    assert.equal(doc.specVersion, '1.6');
    assert.equal(doc.serialNumber, bom.serialNumber);
    assert.equal(doc.version, 3);
    assert.equal(doc.timestamp, '2024-05-01T10:00:00Z');
    assert.deepEqual(doc.tools, [{ vendor: 'acme', name: 'scanner', version: '2.1' }]);
    assert.deepEqual(doc.authors, ['Ada']);
    assert.deepEqual(doc.properties, { 'custody:lockfile:sha256': 'abc' });
    assert.equal(doc.name, 'shop');
    assert.equal(doc.subject?.ref, 'app');
    assert.deepEqual(doc.subject?.dependsOn, ['pkg:npm/%40babel/core@7.0.0']);
    assert.equal(doc.hasDependencyGraph, true);
  });

  it('maps a component field by field', () => {
    const c = doc.components[0];
    assert.deepEqual(c, {
      ref: 'pkg:npm/%40babel/core@7.0.0',
      type: 'library',
      ecosystem: 'npm',
      namespace: '@babel',
      name: 'core',
      version: '7.0.0',
      purl: 'pkg:npm/%40babel/core@7.0.0',
      cpe: 'cpe:2.3:a:babel:core:7.0.0:*:*:*:*:*:*:*',
      hashes: [
        {
          alg: 'SHA-256',
          content: 'abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567',
        },
      ],
      licenses: ['MIT', 'Custom'],
      scope: 'dev',
      supplier: 'Babel',
      author: 'Sebastian',
      dependsOn: ['inner'],
      properties: { 'cdx:npm:package:path': 'node_modules/@babel/core' },
    });
  });

  it('flattens nested components, keeping the parent', () => {
    assert.deepEqual(
      doc.components.map((c) => [c.ref, c.properties?.['custody:parent']]),
      [
        ['pkg:npm/%40babel/core@7.0.0', undefined],
        ['inner', 'pkg:npm/%40babel/core@7.0.0'],
        ['custody:anonymous-1', undefined],
      ],
    );
    assert.deepEqual(doc.components[2]?.licenses, ['MIT OR Apache-2.0']);
    assert.equal(doc.components[2]?.type, 'framework');
  });

  it('lists what the model does not hold as JSON pointers', () => {
    assert.deepEqual(doc.unmapped.sort(), [
      '/components/0/externalReferences',
      '/services',
      '/vulnerabilities',
    ]);
  });

  it('reads the legacy tools array (1.2–1.4)', () => {
    const old = {
      bomFormat: 'CycloneDX',
      specVersion: '1.4',
      metadata: { tools: [{ vendor: 'CycloneDX', name: 'cyclonedx-npm', version: '1.0' }] },
    };
    const d = parseSbom(JSON.stringify(old), 'old.json');
    assert.deepEqual(d.tools, [{ vendor: 'CycloneDX', name: 'cyclonedx-npm', version: '1.0' }]);
    assert.equal(d.hasDependencyGraph, false);
  });

  it('reads a real cyclonedx-npm SBOM: every component and edge', () => {
    const bytes = readConformance(
      'sbom-samples',
      'generated-by-npm-tools',
      'small-express-project',
      'cyclonedx-npm-6.0.1.cdx.json',
    );
    const raw = JSON.parse(Buffer.from(bytes).toString('utf8')) as {
      components: unknown[];
      dependencies: { ref: string; dependsOn?: string[] }[];
    };
    const d = parseSbom(bytes, 'cyclonedx-npm.cdx.json');
    const count = (list: unknown[]): number =>
      list.reduce<number>(
        (n, c) => n + 1 + count((c as { components?: unknown[] }).components ?? []),
        0,
      );
    assert.equal(d.components.length, count(raw.components));
    assert.ok(d.components.some((c) => c.properties?.['custody:parent'] !== undefined));
    const edges = (x: { dependsOn: string[] }[]) => x.reduce((n, c) => n + c.dependsOn.length, 0);
    const rawEdges = raw.dependencies.reduce((n, x) => n + (x.dependsOn?.length ?? 0), 0);
    assert.equal(edges([...d.components, ...(d.subject ? [d.subject] : [])]), rawEdges);
    assert.ok(d.components.every((c) => c.purl?.startsWith('pkg:npm/')));
  });
});
