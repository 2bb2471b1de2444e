import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectSbomFormat } from '../../src/formats/index.js';
import { SbomError } from '../../src/sbom/errors.js';
import { expectCustodyError } from '../helpers/expect-error.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('detectSbomFormat', () => {
  it('recognises CycloneDX JSON whatever the key order', () => {
    const doc = JSON.stringify({ components: [], specVersion: '1.4', bomFormat: 'CycloneDX' });
    assert.deepEqual(detectSbomFormat(enc(doc)), {
      format: 'cyclonedx',
      encoding: 'json',
      specVersion: '1.4',
    });
  });

  it('recognises every supported CycloneDX version, and a byte-order mark', () => {
    for (const v of ['1.2', '1.3', '1.4', '1.5', '1.6', '1.7']) {
      const doc = `\ufeff{"bomFormat":"CycloneDX","specVersion":"${v}"}`;
      assert.equal(detectSbomFormat(enc(doc)).specVersion, v);
    }
  });

  it('recognises CycloneDX XML by the namespace of its root element, prefixed or not', () => {
    const plain =
      '<?xml version="1.0"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1"/>';
    assert.deepEqual(detectSbomFormat(enc(plain)), {
      format: 'cyclonedx',
      encoding: 'xml',
      specVersion: '1.5',
    });
    const prefixed = '<cdx:bom xmlns:cdx="http://cyclonedx.org/schema/bom/1.3"></cdx:bom>';
    assert.equal(detectSbomFormat(prefixed).specVersion, '1.3');
  });

  it('recognises SPDX JSON, tag-value and YAML', () => {
    assert.deepEqual(detectSbomFormat('{"spdxVersion":"SPDX-2.2","SPDXID":"SPDXRef-DOCUMENT"}'), {
      format: 'spdx',
      encoding: 'json',
      specVersion: '2.2',
    });
    assert.deepEqual(detectSbomFormat('# comment\nSPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n'), {
      format: 'spdx',
      encoding: 'tag-value',
      specVersion: '2.3',
    });
    assert.deepEqual(detectSbomFormat("spdxVersion: 'SPDX-2.3'\nname: x\n"), {
      format: 'spdx',
      encoding: 'yaml',
      specVersion: '2.3',
    });
  });

  describe('when the document is not a supported SBOM', () => {
    const cases: [string, string][] = [
      ['empty input', ''],
      ['plain text', 'hello world'],
      ['another JSON document', '{"name":"left-pad","version":"1.3.0"}'],
      ['a JSON array', '[1,2,3]'],
      ['CycloneDX 1.1', '{"bomFormat":"CycloneDX","specVersion":"1.1"}'],
      ['CycloneDX without a version', '{"bomFormat":"CycloneDX"}'],
      ['SPDX 2.1', 'SPDXVersion: SPDX-2.1\n'],
      ['SPDX 3', '{"spdxVersion":"SPDX-3.0"}'],
      ['XML of another kind', '<project xmlns="http://maven.apache.org/POM/4.0.0"/>'],
      ['a bom element without the namespace', '<bom xmlns="urn:other"/>'],
    ];
    for (const [name, text] of cases) {
      it(`${name} fails with SBOM_FORMAT_UNKNOWN naming what is supported`, () => {
        const e = expectCustodyError(
          () => detectSbomFormat(enc(text), 'x.json'),
          SbomError,
          'SBOM_FORMAT_UNKNOWN',
        );
        assert.match(e.message, /x\.json/);
        assert.match(e.message, /CycloneDX 1\.2–1\.7/);
        assert.match(e.message, /SPDX 2\.2\/2\.3/);
      });
    }
  });

  it('fails with SBOM_PARSE on broken JSON', () => {
    expectCustodyError(() => detectSbomFormat('{"bomFormat": ', 'x.json'), SbomError, 'SBOM_PARSE');
  });
});
