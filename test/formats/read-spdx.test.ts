import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseSbom } from '../../src/formats/index.js';
import { parseSpdxTagValue } from '../../src/formats/spdx/tag-value.js';
import { SbomError } from '../../src/sbom/errors.js';
import { readConformance } from '../helpers/conformance.js';
import { expectCustodyError } from '../helpers/expect-error.js';

const spdx = {
  spdxVersion: 'SPDX-2.3',
  dataLicense: 'CC0-1.0',
  SPDXID: 'SPDXRef-DOCUMENT',
  name: 'shop-sbom',
  documentNamespace: 'https://example.com/spdx/shop-1',
  creationInfo: {
    created: '2024-05-01T10:00:00Z',
    creators: ['Tool: syft-1.2.3', 'Organization: Acme (ops@acme.test)', 'Person: Ada'],
  },
  packages: [
    { SPDXID: 'SPDXRef-app', name: 'shop', versionInfo: '1.0.0', downloadLocation: 'NOASSERTION' },
    {
      SPDXID: 'SPDXRef-lodash',
      name: 'lodash',
      versionInfo: '4.17.21',
      downloadLocation: 'NOASSERTION',
      supplier: 'Organization: OpenJS Foundation',
      originator: 'Person: John-David Dalton (jd@example.com)',
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'MIT',
      checksums: [{ algorithm: 'SHA1', checksumValue: 'ABCDEF' }],
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: 'pkg:npm/lodash@4.17.21',
        },
        {
          referenceCategory: 'SECURITY',
          referenceType: 'cpe23Type',
          referenceLocator: 'cpe:2.3:a:lodash:lodash:4.17.21:*:*:*:*:*:*:*',
        },
        { referenceCategory: 'OTHER', referenceType: 'website', referenceLocator: 'x' },
      ],
      copyrightText: 'NOASSERTION',
    },
    {
      SPDXID: 'SPDXRef-jest',
      name: 'jest',
      downloadLocation: 'NOASSERTION',
      licenseDeclared: 'NONE',
      primaryPackagePurpose: 'FRAMEWORK',
    },
  ],
  files: [],
  relationships: [
    {
      spdxElementId: 'SPDXRef-DOCUMENT',
      relationshipType: 'DESCRIBES',
      relatedSpdxElement: 'SPDXRef-app',
    },
    {
      spdxElementId: 'SPDXRef-app',
      relationshipType: 'DEPENDS_ON',
      relatedSpdxElement: 'SPDXRef-lodash',
    },
    {
      spdxElementId: 'SPDXRef-jest',
      relationshipType: 'DEV_DEPENDENCY_OF',
      relatedSpdxElement: 'SPDXRef-app',
    },
    {
      spdxElementId: 'SPDXRef-lodash',
      relationshipType: 'GENERATED_FROM',
      relatedSpdxElement: 'SPDXRef-app',
    },
  ],
};

describe('parseSbom (SPDX JSON)', () => {
  const doc = parseSbom(JSON.stringify(spdx), 'sbom.spdx.json');

  it('reads document facts', () => {
    assert.equal(doc.format, 'spdx');
    assert.equal(doc.specVersion, '2.3');
    assert.equal(doc.serialNumber, 'https://example.com/spdx/shop-1');
    assert.equal(doc.name, 'shop-sbom');
    assert.equal(doc.timestamp, '2024-05-01T10:00:00Z');
    assert.deepEqual(doc.tools, [{ name: 'syft', version: '1.2.3' }]);
    assert.deepEqual(doc.authors, ['Acme', 'Ada']);
    assert.equal(doc.hasDependencyGraph, true);
  });

  it('takes the DESCRIBES target as subject, apart from the components', () => {
    assert.equal(doc.subject?.ref, 'SPDXRef-app');
    assert.deepEqual(doc.subject?.dependsOn, ['SPDXRef-lodash', 'SPDXRef-jest']);
    assert.deepEqual(
      doc.components.map((c) => c.ref),
      ['SPDXRef-lodash', 'SPDXRef-jest'],
    );
  });

  it('maps a package field by field; NOASSERTION/NONE kept when nothing else is known', () => {
    assert.deepEqual(doc.components[0], {
      ref: 'SPDXRef-lodash',
      type: 'library',
      ecosystem: 'npm',
      name: 'lodash',
      version: '4.17.21',
      purl: 'pkg:npm/lodash@4.17.21',
      cpe: 'cpe:2.3:a:lodash:lodash:4.17.21:*:*:*:*:*:*:*',
      hashes: [{ alg: 'SHA-1', content: 'abcdef' }],
      licenses: ['MIT'],
      supplier: 'OpenJS Foundation',
      author: 'John-David Dalton',
      dependsOn: [],
      properties: {
        'custody:spdx:licenseDeclared': 'MIT',
        'custody:spdx:licenseConcluded': 'NOASSERTION',
      },
    });
    const jest = doc.components[1];
    assert.deepEqual(jest?.licenses, ['NONE']);
    assert.equal(jest?.type, 'framework');
    assert.equal(jest?.scope, 'dev');
  });

  it('lists what the model does not hold', () => {
    assert.deepEqual(doc.unmapped.sort(), [
      '/files',
      '/packages/0/downloadLocation',
      '/packages/1/copyrightText',
      '/packages/1/downloadLocation',
      '/packages/1/externalRefs/2',
      '/packages/2/downloadLocation',
      '/relationships/3',
    ]);
  });

  it('reads the same document from JSON, YAML and tag-value alike (spdx-spec examples)', () => {
    const json = parseSbom(
      readConformance('spdx', 'examples', 'SPDXJSONExample-v2.3.spdx.json'),
      'j',
    );
    const yaml = parseSbom(
      readConformance('spdx', 'examples', 'SPDXYAMLExample-2.3.spdx.yaml'),
      'y',
    );
    const tag = parseSbom(readConformance('spdx', 'examples', 'SPDXTagExample-v2.3.spdx'), 't');
    assert.deepEqual(yaml, json);
    const key = (d: typeof json) =>
      d.components.map((c) => [
        c.ref,
        c.name,
        c.version,
        c.purl,
        c.cpe,
        c.licenses,
        c.hashes.length,
      ]);
    assert.deepEqual(key(tag), key(json));
    assert.equal(tag.serialNumber, json.serialNumber);
    assert.equal(tag.subject?.ref, json.subject?.ref);
  });
});

describe('parseSpdxTagValue', () => {
  it('reads multi-line <text>, checksums, external refs and relationships', () => {
    const doc = parseSpdxTagValue(
      [
        'SPDXVersion: SPDX-2.2',
        'DocumentComment: <text>line one',
        'line two</text>',
        'PackageName: zlib',
        'SPDXID: SPDXRef-zlib',
        'PackageChecksum: SHA256: 00ff',
        'PackageVerificationCode: abc (excludes: ./a, ./b)',
        'ExternalRef: PACKAGE-MANAGER purl pkg:generic/zlib@1.2.13',
        'FileName: ./zlib.h',
        'SPDXID: SPDXRef-file',
        'Relationship: SPDXRef-zlib CONTAINS SPDXRef-file',
      ].join('\n'),
      'x.spdx',
    );
    assert.equal(doc['comment'], 'line one\nline two');
    assert.deepEqual(doc['packages'], [
      {
        name: 'zlib',
        SPDXID: 'SPDXRef-zlib',
        checksums: [{ algorithm: 'SHA256', checksumValue: '00ff' }],
        packageVerificationCode: {
          packageVerificationCodeValue: 'abc',
          packageVerificationCodeExcludedFiles: ['./a', './b'],
        },
        externalRefs: [
          {
            referenceCategory: 'PACKAGE-MANAGER',
            referenceType: 'purl',
            referenceLocator: 'pkg:generic/zlib@1.2.13',
          },
        ],
        hasFiles: ['SPDXRef-file'],
      },
    ]);
    assert.deepEqual(doc['relationships'], [
      {
        spdxElementId: 'SPDXRef-zlib',
        relationshipType: 'CONTAINS',
        relatedSpdxElement: 'SPDXRef-file',
      },
    ]);
  });

  it('fails with SBOM_PARSE naming the line', () => {
    const e = expectCustodyError(
      () => parseSpdxTagValue('SPDXVersion: SPDX-2.3\nthis is not a tag\n', 'x.spdx'),
      SbomError,
      'SBOM_PARSE',
    );
    assert.match(e.message, /x\.spdx line 2/);
    expectCustodyError(
      () =>
        parseSpdxTagValue('SPDXVersion: SPDX-2.3\nPackageComment: <text>never closed\n', 'x.spdx'),
      SbomError,
      'SBOM_PARSE',
    );
  });

  it('arbitrary lines give a document or SbomError, never another error', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc
        .tuple(
          fc.constantFrom(
            'PackageName',
            'SPDXID',
            'FileName',
            'Relationship',
            'ExternalRef',
            'PackageChecksum',
            'SnippetByteRange',
            'Annotator',
            'SPDXREF',
            'LicenseID',
            'PackageVerificationCode',
            'ExternalRefComment',
            'RelationshipComment',
            'FileType',
          ),
          fc.string({ maxLength: 30 }),
        )
        .map(([t, v]) => `${t}: ${v}`),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        const text = ['SPDXVersion: SPDX-2.3', ...lines].join('\n');
        try {
          parseSbom(text, 'fuzz.spdx');
        } catch (e) {
          assert.ok(e instanceof SbomError, String(e));
        }
      }),
      { numRuns: 300 },
    );
  });
});
