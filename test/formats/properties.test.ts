import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CustodyError } from '../../src/core/errors.js';
import { detectSbomFormat, parseSbom, validateSbom } from '../../src/formats/index.js';
import { readConformance } from '../helpers/conformance.js';

// Untrusted input: whatever the bytes, the result is a value or a CustodyError, never a
// TypeError/RangeError from inside a parser.
const SEEDS: Record<string, Uint8Array> = {
  'cyclonedx json': readConformance('cyclonedx', '1.6', 'valid-metadata-tool-1.6.json'),
  'cyclonedx json (components)': readConformance(
    'cyclonedx',
    '1.5',
    'valid-component-hashes-1.5.json',
  ),
  'spdx json': readConformance('spdx', 'examples', 'SPDXJSONExample-v2.3.spdx.json'),
  'spdx tag-value': readConformance('spdx', 'examples', 'SPDXTagExample-v2.3.spdx'),
  'spdx yaml': readConformance('spdx', 'examples', 'SPDXYAMLExample-2.3.spdx.yaml'),
  'cyclonedx xml': new TextEncoder().encode(`<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">
  <metadata><tools><components><component type="application"><name>t</name></component></components></tools></metadata>
  <components>
    <component type="library" bom-ref="a"><name>a</name><version>1</version>
      <hashes><hash alg="SHA-1">0123456789abcdef0123456789abcdef01234567</hash></hashes>
      <licenses><license><id>MIT</id></license><expression>MIT OR ISC</expression></licenses>
      <purl>pkg:npm/a@1</purl><properties><property name="p">v</property></properties>
      <components><component type="library"><name>b</name></component></components>
    </component>
  </components>
  <dependencies><dependency ref="a"><dependency ref="b"/></dependency></dependencies>
</bom>`),
};

async function outcome(bytes: Uint8Array): Promise<void> {
  for (const run of [
    () => detectSbomFormat(bytes, 'fuzz'),
    () => parseSbom(bytes, 'fuzz'),
    () => validateSbom(bytes, { what: 'fuzz' }),
  ]) {
    try {
      await run();
    } catch (e) {
      assert.ok(
        e instanceof CustodyError,
        `${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`,
      );
    }
  }
}

// Mutations that keep most of a real document: flip, delete, insert and duplicate spans.
const mutation = fc.record({
  at: fc.nat(),
  len: fc.integer({ min: 0, max: 40 }),
  insert: fc.uint8Array({ maxLength: 8 }),
  kind: fc.constantFrom('flip', 'delete', 'insert', 'truncate', 'duplicate'),
});

function mutate(
  bytes: Uint8Array,
  ms: fc.Arbitrary<never>[] | { at: number; len: number; insert: Uint8Array; kind: string }[],
): Uint8Array {
  let out = Buffer.from(bytes);
  for (const m of ms as { at: number; len: number; insert: Uint8Array; kind: string }[]) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === 'flip' && out.length > 0) out[at] = (out[at] ?? 0) ^ 0xff;
    else if (m.kind === 'delete')
      out = Buffer.concat([out.subarray(0, at), out.subarray(at + m.len)]);
    else if (m.kind === 'insert')
      out = Buffer.concat([out.subarray(0, at), m.insert, out.subarray(at)]);
    else if (m.kind === 'truncate') out = out.subarray(0, at);
    else out = Buffer.concat([out.subarray(0, at + m.len), out.subarray(at)]);
  }
  return out;
}

describe('untrusted input (property tests)', () => {
  it('arbitrary bytes give a result or a CustodyError', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), outcome), { numRuns: 300 });
  });

  it('arbitrary text behind a format marker gives a result or a CustodyError', async () => {
    const marker = fc.constantFrom(
      '{"bomFormat":"CycloneDX","specVersion":"1.6",',
      '{"spdxVersion":"SPDX-2.3",',
      'SPDXVersion: SPDX-2.2\n',
      'spdxVersion: SPDX-2.3\n',
      '<bom xmlns="http://cyclonedx.org/schema/bom/1.5">',
    );
    await fc.assert(
      fc.asyncProperty(marker, fc.string({ maxLength: 200 }), (m, rest) =>
        outcome(new TextEncoder().encode(m + rest)),
      ),
      { numRuns: 300 },
    );
  });

  for (const [name, seed] of Object.entries(SEEDS)) {
    it(`mutated ${name} gives a result or a CustodyError`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) =>
          outcome(mutate(seed, ms)),
        ),
        { numRuns: 150 },
      );
    });
  }

  it('structurally odd but well-formed JSON (wrong member types) reads without throwing', () => {
    const anyJson = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(
            'metadata',
            'components',
            'dependencies',
            'packages',
            'relationships',
            'creationInfo',
            'serialNumber',
            'version',
          ),
          anyJson,
        ),
        fc.boolean(),
        (members, cdx) => {
          const doc = cdx
            ? { bomFormat: 'CycloneDX', specVersion: '1.6', ...members }
            : { spdxVersion: 'SPDX-2.3', ...members };
          try {
            parseSbom(JSON.stringify(doc), 'odd.json');
          } catch (e) {
            assert.ok(e instanceof CustodyError, String(e));
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('deeply nested XML is refused with a CustodyError', () => {
    const deep = `<bom xmlns="http://cyclonedx.org/schema/bom/1.6">${'<a>'.repeat(20000)}${'</a>'.repeat(20000)}</bom>`;
    try {
      parseSbom(deep, 'deep.xml');
    } catch (e) {
      assert.ok(e instanceof CustodyError, String(e));
    }
  });
});
