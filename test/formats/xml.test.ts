import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as CDX from '@cyclonedx/cyclonedx-library';
import { detectSbomFormat, parseSbom, validateSbom } from '../../src/formats/index.js';
import { SbomError } from '../../src/sbom/errors.js';
import { expectCustodyError } from '../helpers/expect-error.js';

// A BOM built with CycloneDX's own library and serialised by it to XML and to JSON: reading the
// XML must give the same model as reading the JSON, and the XML must validate.
function libraryBom(): CDX.Models.Bom {
  const bom = new CDX.Models.Bom();
  bom.serialNumber = 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79';
  bom.version = 2;
  bom.metadata.timestamp = new Date('2024-05-01T10:00:00Z');
  bom.metadata.tools.components.add(
    new CDX.Models.Component(CDX.Enums.ComponentType.Application, 'scanner', {
      version: '2.1',
      group: 'acme',
    }),
  );
  bom.metadata.component = new CDX.Models.Component(CDX.Enums.ComponentType.Application, 'shop', {
    bomRef: 'app',
    version: '1.0.0',
  });
  const core = new CDX.Models.Component(CDX.Enums.ComponentType.Library, 'core', {
    bomRef: 'pkg:npm/%40babel/core@7.0.0',
    group: '@babel',
    version: '7.0.0',
    author: 'Sebastian',
    scope: CDX.Enums.ComponentScope.Excluded,
    supplier: new CDX.Models.OrganizationalEntity({
      name: 'Babel',
      url: new Set([new URL('https://babeljs.io')]),
    }),
    purl: undefined,
    description: 'Babel compiler core',
  });
  core.purl = 'pkg:npm/%40babel/core@7.0.0' as never;
  core.hashes.set(
    CDX.Enums.HashAlgorithm['SHA-256'],
    'abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789',
  );
  core.licenses.add(new CDX.Models.SpdxLicense('MIT'));
  core.licenses.add(new CDX.Models.NamedLicense('Custom licence'));
  core.externalReferences.add(
    new CDX.Models.ExternalReference('https://babeljs.io', CDX.Enums.ExternalReferenceType.Website),
  );
  core.properties.add(new CDX.Models.Property('cdx:npm:package:path', 'node_modules/@babel/core'));
  const inner = new CDX.Models.Component(CDX.Enums.ComponentType.Library, 'inner', {
    bomRef: 'inner',
    version: '0.1',
  });
  core.components.add(inner);
  const other = new CDX.Models.Component(CDX.Enums.ComponentType.Framework, 'fw', {
    bomRef: 'fw',
    version: '3',
  });
  other.licenses.add(new CDX.Models.LicenseExpression('MIT OR Apache-2.0'));
  bom.components.add(core);
  bom.components.add(other);
  bom.metadata.component.dependencies.add(core.bomRef);
  core.dependencies.add(inner.bomRef);
  return bom;
}

const VERSIONS = [
  ['1.4', CDX.Spec.Spec1dot4],
  ['1.5', CDX.Spec.Spec1dot5],
  ['1.6', CDX.Spec.Spec1dot6],
] as const;

describe('CycloneDX XML', () => {
  for (const [version, spec] of VERSIONS) {
    const xml = new CDX.Serialize.XmlSerializer(
      new CDX.Serialize.XML.Normalize.Factory(spec),
    ).serialize(libraryBom(), { space: 2 });
    const json = new CDX.Serialize.JsonSerializer(
      new CDX.Serialize.JSON.Normalize.Factory(spec),
    ).serialize(libraryBom());

    it(`${version}: is detected and validates in its JSON form`, async () => {
      assert.deepEqual(detectSbomFormat(xml), {
        format: 'cyclonedx',
        encoding: 'xml',
        specVersion: version,
      });
      const r = await validateSbom(xml, { what: 'bom.xml' });
      assert.equal(r.valid, true, JSON.stringify(r.errors));
      assert.equal((await validateSbom(json)).valid, true);
    });

    it(`${version}: reads into the same model as the library's JSON of the same BOM`, () => {
      const fromXml = parseSbom(xml, 'bom.xml');
      const fromJson = parseSbom(json, 'bom.json');
      assert.deepEqual(fromXml, fromJson);
      assert.equal(fromXml.components.length, 3);
      assert.deepEqual(fromXml.components[0]?.licenses, ['MIT', 'Custom licence']);
      assert.equal(fromXml.components[0]?.scope, 'dev');
    });
  }

  it('reports schema errors of an XML document with pointers into its JSON form', async () => {
    const xml = `<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">
  <components>
    <component type="gadget"><name>x</name></component>
  </components>
</bom>`;
    const r = await validateSbom(xml);
    assert.equal(r.valid, false);
    assert.equal(r.encoding, 'xml');
    assert.ok(r.errors.some((e) => e.pointer === '/components/0/type' && e.keyword === 'enum'));
  });

  it('fails with SBOM_PARSE on XML that is not well formed', () => {
    const bad = '<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components></bom>';
    const e = expectCustodyError(() => parseSbom(bad, 'bad.xml'), SbomError, 'SBOM_PARSE');
    assert.match(e.message, /bad\.xml/);
  });
});
