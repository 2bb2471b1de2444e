import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toCycloneDx } from '../../../src/formats/cyclonedx/write.js';
import { toSpdx } from '../../../src/formats/spdx/write.js';
import { buildSbom } from '../../../src/sbom/builder.js';
import type { CatalogResult, Component } from '../../../src/sbom/model.js';

function comp(name: string, version: string, extra: Partial<Component> = {}): Component {
  return {
    ref: `pkg:npm/${name}@${version}`,
    type: 'library',
    ecosystem: 'npm',
    name,
    version,
    purl: `pkg:npm/${name}@${version}`,
    hashes: [],
    licenses: [],
    dependsOn: [],
    ...extra,
  };
}

const TOOL = { name: 'custody', version: '0.0.0-test' };

describe('buildSbom', () => {
  it('merges the same package from two lockfiles and keeps the union of what each knew', () => {
    const a: CatalogResult = {
      cataloger: 'x',
      sourcePath: 'a/package-lock.json',
      components: [comp('left-pad', '1.3.0', { scope: 'dev', licenses: ['MIT'] })],
      rootDependsOn: ['pkg:npm/left-pad@1.3.0'],
    };
    const b: CatalogResult = {
      cataloger: 'y',
      sourcePath: 'b/package-lock.json',
      components: [
        comp('left-pad', '1.3.0', {
          scope: 'required',
          hashes: [{ alg: 'SHA-512', content: 'ab' }],
        }),
      ],
      rootDependsOn: [],
    };
    const doc = buildSbom([a, b], { fallbackName: 'proj', tool: TOOL });
    assert.equal(doc.components.length, 1);
    const c = doc.components[0];
    assert.equal(c?.scope, 'required');
    assert.deepEqual(c?.licenses, ['MIT']);
    assert.equal(c?.hashes.length, 1);
    assert.deepEqual(doc.subject?.dependsOn, ['pkg:npm/left-pad@1.3.0']);
  });

  it('drops edges to packages the document does not hold (CycloneDX requires known refs)', () => {
    const r: CatalogResult = {
      cataloger: 'x',
      sourcePath: 'package-lock.json',
      components: [
        comp('a', '1.0.0', { dependsOn: ['pkg:npm/missing@1.0.0', 'pkg:npm/b@1.0.0'] }),
        comp('b', '1.0.0'),
      ],
      rootDependsOn: ['pkg:npm/a@1.0.0', 'pkg:npm/ghost@0.0.1'],
      root: { name: 'app', version: '2.0.0', ecosystem: 'npm', purl: 'pkg:npm/app@2.0.0' },
    };
    const doc = buildSbom([r], { fallbackName: 'proj', tool: TOOL });
    assert.equal(doc.subject?.name, 'app');
    assert.equal(doc.subject?.ref, 'pkg:npm/app@2.0.0');
    assert.deepEqual(doc.subject?.dependsOn, ['pkg:npm/a@1.0.0']);
    assert.deepEqual(doc.components[0]?.dependsOn, ['pkg:npm/b@1.0.0']);
  });

  it('sorts components so output does not depend on discovery order', () => {
    const mk = (names: string[]): CatalogResult => ({
      cataloger: 'x',
      sourcePath: 'l',
      components: names.map((n) => comp(n, '1.0.0')),
      rootDependsOn: [],
    });
    const one = buildSbom([mk(['b', 'a', 'c'])], { fallbackName: 'p', tool: TOOL });
    const two = buildSbom([mk(['c', 'b', 'a'])], { fallbackName: 'p', tool: TOOL });
    assert.deepEqual(toCycloneDx(one, '1.6'), toCycloneDx(two, '1.6'));
  });
});

describe('writers', () => {
  const doc = buildSbom(
    [
      {
        cataloger: 'x',
        sourcePath: 'package-lock.json',
        components: [
          comp('a', '1.0.0', {
            licenses: ['MIT OR Apache-2.0'],
            scope: 'dev',
            dependsOn: ['pkg:npm/b@1.0.0'],
          }),
          comp('b', '1.0.0', {
            licenses: ['Some Custom Licence'],
            hashes: [{ alg: 'SHA-512', content: 'ff'.repeat(64) }],
          }),
        ],
        rootDependsOn: ['pkg:npm/a@1.0.0'],
      },
    ],
    { fallbackName: 'proj', tool: TOOL, timestamp: '2026-01-01T00:00:00Z' },
  );

  it('writes CycloneDX licence choices as one expression or a list of licences', () => {
    const bom = toCycloneDx(doc, '1.6') as { components: Record<string, unknown>[] };
    assert.deepEqual(bom.components[0]?.['licenses'], [
      { expression: 'MIT OR Apache-2.0', acknowledgement: 'declared' },
    ]);
    assert.deepEqual(bom.components[1]?.['licenses'], [
      { license: { name: 'Some Custom Licence', acknowledgement: 'declared' } },
    ]);
    assert.equal(bom.components[0]?.['scope'], 'excluded');
  });

  it('omits 1.6-only fields from CycloneDX 1.5', () => {
    const bom = toCycloneDx(doc, '1.5') as { components: Record<string, unknown>[] };
    assert.deepEqual(bom.components[1]?.['licenses'], [
      { license: { name: 'Some Custom Licence' } },
    ]);
  });

  it('writes SPDX with LicenseRef ids for non-SPDX licences and scope as relationship types', () => {
    const spdx = toSpdx(doc) as {
      packages: { name: string; licenseDeclared: string }[];
      relationships: { relationshipType: string }[];
      hasExtractedLicensingInfos: { licenseId: string }[];
    };
    const b = spdx.packages.find((p) => p.name === 'b');
    assert.equal(b?.licenseDeclared, 'LicenseRef-Some-Custom-Licence');
    assert.equal(spdx.hasExtractedLicensingInfos[0]?.licenseId, 'LicenseRef-Some-Custom-Licence');
    const types = spdx.relationships.map((r) => r.relationshipType).sort();
    assert.deepEqual(types, ['DESCRIBES', 'DEPENDS_ON', 'DEV_DEPENDENCY_OF'].sort());
  });
});
