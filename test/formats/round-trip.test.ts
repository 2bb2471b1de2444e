import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseSbom,
  validateSbom,
  writeCycloneDxJson,
  writeSpdxJson,
} from '../../src/formats/index.js';
import type { Component, SbomDocument } from '../../src/sbom/model.js';

const lodash: Component = {
  ref: 'pkg:npm/lodash@4.17.21',
  type: 'library',
  ecosystem: 'npm',
  name: 'lodash',
  version: '4.17.21',
  purl: 'pkg:npm/lodash@4.17.21',
  hashes: [{ alg: 'SHA-512', content: 'ab'.repeat(64) }],
  licenses: ['MIT'],
  scope: 'required',
  supplier: 'OpenJS',
  dependsOn: [],
};
const jest: Component = {
  ref: 'pkg:npm/jest@29.0.0',
  type: 'library',
  ecosystem: 'npm',
  name: 'jest',
  version: '29.0.0',
  purl: 'pkg:npm/jest@29.0.0',
  hashes: [],
  licenses: ['MIT OR Apache-2.0'],
  scope: 'dev',
  dependsOn: ['pkg:npm/lodash@4.17.21'],
};
const doc: SbomDocument = {
  format: 'cyclonedx',
  specVersion: '1.6',
  serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
  version: 1,
  timestamp: '2024-05-01T10:00:00Z',
  tools: [{ vendor: 'Custody', name: 'custody', version: '0.1.0' }],
  authors: ['Ada'],
  subject: {
    ref: 'pkg:npm/shop@1.0.0',
    type: 'application',
    ecosystem: 'npm',
    name: 'shop',
    version: '1.0.0',
    purl: 'pkg:npm/shop@1.0.0',
    hashes: [],
    licenses: ['MIT'],
    dependsOn: ['pkg:npm/lodash@4.17.21', 'pkg:npm/jest@29.0.0'],
  },
  components: [lodash, jest],
  hasDependencyGraph: true,
  properties: { 'custody:lockfile:sha256': 'abc' },
  unmapped: [],
};

// What Custody writes must validate against the official schema and read back to the same model.
describe('write → validate → parse', () => {
  for (const version of ['1.6', '1.7'] as const) {
    it(`CycloneDX ${version} round-trips`, async () => {
      const out = writeCycloneDxJson(doc, version);
      const r = await validateSbom(out);
      assert.equal(r.valid, true, JSON.stringify(r.errors));
      const back = parseSbom(out, 'bom.json');
      assert.deepEqual(back.components, doc.components);
      assert.deepEqual(back.subject, doc.subject);
      assert.deepEqual(back.tools, doc.tools);
      assert.deepEqual(back.authors, doc.authors);
      assert.deepEqual(back.properties, doc.properties);
      assert.deepEqual(back.unmapped, []);
    });
  }

  it('SPDX 2.3 round-trips names, versions, purls, licences, hashes and edges', async () => {
    const out = writeSpdxJson(doc);
    const r = await validateSbom(out);
    assert.equal(r.valid, true, JSON.stringify(r.errors));
    const back = parseSbom(out, 'sbom.spdx.json');
    const key = (c: Component) => [c.name, c.version, c.purl, c.licenses, c.hashes];
    assert.deepEqual(back.components.map(key), doc.components.map(key));
    assert.equal(back.subject?.name, 'shop');
    const purlOf = new Map(back.components.map((c) => [c.ref, c.purl]));
    assert.deepEqual(
      back.components.map((c) => c.dependsOn.map((d) => purlOf.get(d))),
      doc.components.map((c) => c.dependsOn),
    );
  });
});
