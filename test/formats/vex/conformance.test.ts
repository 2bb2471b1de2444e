/**
 * The real VEX documents of ../shared/conformance/vex (OpenVEX spec, go-vex and vexctl examples,
 * CycloneDX VEX and CISA use cases, the CSAF VEX and advisory examples): each imports (strictly,
 * or leniently where the table below says why not), converts to the other two formats into
 * schema-valid documents, round-trips A→model→A keeping the model, and A→B→A keeping what B
 * holds (the projection in helpers.ts). Cases are counted from the data, never skipped.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import {
  type CycloneDxVexVersion,
  detectVex,
  readVex,
  VEX_FORMATS,
  type VexFormat,
  VexFormatError,
  validateVex,
  writeVex,
} from '../../../src/formats/index.js';
import { conformancePath } from '../../helpers/conformance.js';
import { expectCustodyErrorAsync } from '../../helpers/expect-error.js';
import { projection } from './helpers.js';

const ROOT = conformancePath('vex');
const NOW = '2024-01-01T00:00:00Z';

/** Real documents refused when read strictly, with the reason (each imports leniently unless LENIENT_REFUSED says so). */
const STRICT_REFUSED: Record<string, string> = {
  // OpenVEX 0.0.1 (a context without version, or v0.0.1): string vulnerabilities and products.
  'openvex-go-vex/pkg/csaf/testdata/openvex.json': 'VEX_VERSION_UNSUPPORTED',
  'openvex-go-vex/pkg/vex/testdata/v0.0.1-noversion.json': 'VEX_VERSION_UNSUPPORTED',
  'openvex-go-vex/pkg/vex/testdata/v0.0.1.json': 'VEX_VERSION_UNSUPPORTED',
  'openvex-go-vex/pkg/vex/testdata/v001-1.vex.json': 'VEX_VERSION_UNSUPPORTED',
  'openvex-go-vex/pkg/vex/testdata/v001-2.vex.json': 'VEX_VERSION_UNSUPPORTED',
  'openvex-vexctl/pkg/ctl/testdata/images.vex.json': 'VEX_VERSION_UNSUPPORTED',
  'openvex-vexctl/pkg/ctl/testdata/test.vex.json': 'VEX_VERSION_UNSUPPORTED',
  // OpenVEX 0.2 without the required document timestamp and version.
  'openvex-go-vex/pkg/vex/testdata/v020-1.vex.json': 'VEX_SCHEMA_INVALID',
  'openvex-go-vex/pkg/vex/testdata/v020-2.vex.json': 'VEX_SCHEMA_INVALID',
  // A `statement` member the 0.2 schema does not have.
  'openvex-vexctl/examples/sarif/sample-1statement.openvex.json': 'VEX_SCHEMA_INVALID',
  'openvex-vexctl/examples/sarif/sample-2vulns.openvex.json': 'VEX_SCHEMA_INVALID',
  'openvex-vexctl/examples/sarif/sample-history.openvex.json': 'VEX_SCHEMA_INVALID',
  // A branch with both a product and branches; ids used but never defined (go-vex parser test data).
  'openvex-go-vex/pkg/csaf/testdata/csaf.json': 'VEX_SCHEMA_INVALID',
};
const LENIENT_REFUSED: Record<string, string> = {
  'openvex-go-vex/pkg/csaf/testdata/csaf.json': 'VEX_SCHEMA_INVALID',
};
/** Conversions a format cannot hold at all, with the code. */
const NOT_CONVERTIBLE: Record<string, string> = {
  // csaf_informational_advisory: no vulnerabilities, so no statements.
  'csaf/examples/csaf/rhsa-2019_1862.json → openvex': 'VEX_WRITE_INVALID',
  'csaf/examples/csaf/rhsa-2019_1862.json → cyclonedx': 'VEX_WRITE_INVALID',
  'csaf/examples/csaf/rhsa-2019_1862.json → csaf': 'VEX_WRITE_INVALID',
  // Statements that name no product ("any current version of any product"); CSAF states status per product.
  'cyclonedx-bom-examples/VEX/Use-Cases/Case-7/vex.json → csaf': 'VEX_WRITE_INVALID',
  'openvex-vexctl/pkg/ctl/testdata/test.vex.json → csaf': 'VEX_WRITE_INVALID',
};

interface Case {
  path: string;
  bytes: Uint8Array;
  format: VexFormat;
  specVersion: string;
}

function listJson(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? listJson(p) : n.endsWith('.json') ? [p] : [];
    });
}

/** Every VEX document in the data: OpenVEX and CSAF documents, CycloneDX BOMs with vulnerabilities. */
const CASES: Case[] = listJson(ROOT).flatMap((file) => {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return []; // openvex-spec/context.json is JSON-LD with comments
  }
  let d: ReturnType<typeof detectVex>;
  try {
    d = detectVex(data);
  } catch {
    return []; // schemas, SPDX and SARIF inputs of the examples
  }
  const vulns = (data as { vulnerabilities?: unknown[] }).vulnerabilities;
  if (d.format === 'cyclonedx' && !(Array.isArray(vulns) && vulns.length > 0)) return []; // SBOMs
  return [{ path: relative(ROOT, file), bytes: readFileSync(file), ...d }];
});

function csafCategory(c: Case): string | undefined {
  if (c.format !== 'csaf') return undefined;
  return (JSON.parse(Buffer.from(c.bytes).toString('utf8')) as { document: { category: string } })
    .document.category;
}

const cdxVersion = (c: { format: VexFormat; specVersion: string }) =>
  c.format === 'cyclonedx' ? { cyclonedxVersion: c.specVersion as CycloneDxVexVersion } : {};

describe('VEX conformance: the real documents', () => {
  it('the data holds the documents the issue names (counted, not assumed)', () => {
    const count = (f: VexFormat) => CASES.filter((c) => c.format === f).length;
    assert.equal(CASES.length, 65);
    assert.equal(count('openvex'), 18);
    assert.equal(count('cyclonedx'), 25);
    assert.equal(count('csaf'), 22);
    // 13 in the CSAF examples' csaf_vex folder, 3 more from go-vex and vexctl; the other 6 are
    // security (5) and informational (1) advisories, read with the same mapping.
    assert.equal(CASES.filter((c) => csafCategory(c) === 'csaf_vex').length, 16);
    assert.equal(CASES.filter((c) => c.path.startsWith('csaf/examples/csaf/csaf_vex/')).length, 13);
    for (const p of [...Object.keys(STRICT_REFUSED), ...Object.keys(LENIENT_REFUSED)])
      assert.ok(
        CASES.some((c) => c.path === p),
        `${p} is in the data`,
      );
  });

  for (const c of CASES) {
    describe(c.path, () => {
      const strictCode = STRICT_REFUSED[c.path];
      const lenientCode = LENIENT_REFUSED[c.path];
      const lenient = strictCode !== undefined;

      if (strictCode !== undefined) {
        it(`is refused when read strictly: ${strictCode}, with JSON pointers`, async () => {
          const e = await expectCustodyErrorAsync(
            () => readVex(c.bytes, { what: c.path }),
            VexFormatError,
            strictCode,
          );
          if (strictCode !== 'VEX_VERSION_UNSUPPORTED') {
            const errors = (e.details?.['errors'] ?? []) as { pointer: string }[];
            assert.ok(errors.length > 0 && errors.every((x) => typeof x.pointer === 'string'));
          }
        });
      }
      if (lenientCode !== undefined) {
        it(`is refused leniently too: ${lenientCode}`, async () => {
          await expectCustodyErrorAsync(
            () => readVex(c.bytes, { lenient: true }),
            VexFormatError,
            lenientCode,
          );
        });
        return;
      }

      it(`imports${lenient ? ' leniently, each repair a warning' : ''}`, async () => {
        const r = await readVex(c.bytes, { what: c.path, lenient });
        assert.equal(r.format, c.format);
        if (lenient) assert.ok(r.warnings.length > 0);
        if (
          r.format !== 'csaf' ||
          r.data['document'] === undefined ||
          (r.data['vulnerabilities'] as unknown[] | undefined)?.length
        )
          assert.ok(r.document.statements.length > 0 || c.path.endsWith('rhsa-2019_1862.json'));
      });

      it('round-trips A → model → A keeping the model', async () => {
        const r = await readVex(c.bytes, { lenient });
        const key = `${c.path} → ${c.format}`;
        if (NOT_CONVERTIBLE[key] !== undefined) {
          assert.throws(
            () => writeVex(r.document, c.format, { now: NOW }),
            (e: unknown) => (e as VexFormatError).code === NOT_CONVERTIBLE[key],
          );
          return;
        }
        const written = writeVex(r.document, c.format, { now: NOW, ...cdxVersion(c) });
        const again = await readVex(written.text);
        if (c.format === 'csaf' && csafCategory(c) !== 'csaf_vex') {
          // Written as csaf_vex, an advisory's not_affected products without an impact statement
          // get one (the profile requires it), so only what every format holds must survive.
          assert.deepEqual(projection(again.document), projection(r.document));
          return;
        }
        assert.deepEqual(again.document, r.document);
      });

      for (const to of VEX_FORMATS.filter((f) => f !== c.format)) {
        it(`converts to ${to}: schema-valid, and back keeps what ${to} holds`, async () => {
          const r = await readVex(c.bytes, { lenient });
          const key = `${c.path} → ${to}`;
          if (NOT_CONVERTIBLE[key] !== undefined) {
            assert.throws(
              () => writeVex(r.document, to, { now: NOW }),
              (e: unknown) => (e as VexFormatError).code === NOT_CONVERTIBLE[key],
            );
            return;
          }
          const b = writeVex(r.document, to, { now: NOW });
          const v = await validateVex(b.text);
          assert.deepEqual(v.errors, [], `${to} output is schema-valid`);
          const inB = (await readVex(b.text)).document;
          const back = (await readVex(writeVex(inB, c.format, { now: NOW, ...cdxVersion(c) }).text))
            .document;
          assert.deepEqual(projection(back), projection(r.document));
          assert.deepEqual(projection(inB), projection(r.document));
        });
      }
    });
  }
});
