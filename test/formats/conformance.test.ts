import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { parseSbom, validateSbom } from '../../src/formats/index.js';
import { conformancePath, listConformance, readConformance } from '../helpers/conformance.js';

// CycloneDX's own test resources: every valid-* must validate, every invalid-* must not.
for (const version of ['1.5', '1.6']) {
  describe(`CycloneDX ${version} conformance (specification tools/src/test/resources)`, () => {
    for (const file of listConformance('cyclonedx', version)) {
      const expectValid = file.startsWith('valid-');
      it(`${file} ${expectValid ? 'validates' : 'is rejected'}`, async () => {
        const r = await validateSbom(readConformance('cyclonedx', version, file), { what: file });
        assert.equal(r.format, 'cyclonedx');
        assert.equal(r.specVersion, version);
        assert.equal(r.valid, expectValid, JSON.stringify(r.errors.slice(0, 5)));
        if (!expectValid) {
          assert.ok(r.errors.length > 0);
          for (const e of r.errors) {
            assert.equal(typeof e.pointer, 'string');
            assert.ok(e.keyword.length > 0 && e.message.length > 0);
          }
        }
      });
    }
  });
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

// Upstream SPDX examples: JSON and YAML validate against their version's schema; tag-value
// documents parse, and validate in their JSON form.
const SPDX_FILES = [
  ...walk(conformancePath('spdx', 'examples')),
  ...walk(conformancePath('spdx', 'spdx-examples')),
]
  .filter((f) => /\.(json|spdx|ya?ml)$/.test(f))
  .sort();

describe('SPDX examples (spdx-spec, spdx-examples)', () => {
  for (const file of SPDX_FILES) {
    const name = relative(conformancePath('spdx'), file);
    it(`${name} reads and validates`, async () => {
      const bytes = readConformance('spdx', name);
      const r = await validateSbom(bytes, { what: name });
      assert.equal(r.format, 'spdx');
      assert.ok(['2.2', '2.3'].includes(r.specVersion));
      if (file.endsWith('.spdx')) assert.equal(r.encoding, 'tag-value');
      assert.equal(r.valid, true, JSON.stringify(r.errors.slice(0, 5)));
      const doc = parseSbom(bytes, name);
      assert.equal(doc.format, 'spdx');
      assert.equal(doc.specVersion, r.specVersion);
      assert.ok(doc.serialNumber, 'documentNamespace becomes serialNumber');
      assert.ok(doc.timestamp, 'creationInfo.created becomes timestamp');
    });
  }
});
