/**
 * Fuzzing the VEX readers (untrusted input): arbitrary bytes, arbitrary JSON, and real documents
 * with members deleted or replaced by arbitrary values. Only a CustodyError may escape; whatever
 * is read must also be writable in all three formats with nothing but typed errors.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isCustodyError } from '../../../src/core/index.js';
import { readVex, VEX_FORMATS, writeVex } from '../../../src/formats/index.js';
import { conformancePath } from '../../helpers/conformance.js';

const SEEDS = [
  'openvex-go-vex/pkg/vex/testdata/v0.2.0.json',
  'openvex-vexctl/pkg/ctl/testdata/test.vex.json',
  'cyclonedx-bom-examples/VEX/CISA-Use-Cases/Case-8/vex.json',
  'cyclonedx-bom-examples/VEX/Use-Cases/Case-5/vex.json',
  'csaf/examples/csaf/csaf_vex/2022-evd-uc-08-001.json',
  'csaf/examples/csaf/rhsa-2021_5186.json',
].map((p) => JSON.parse(readFileSync(conformancePath('vex', p), 'utf8')) as unknown);

async function onlyTypedErrors(
  input: string | Uint8Array | object,
  lenient: boolean,
): Promise<void> {
  let read: Awaited<ReturnType<typeof readVex>>;
  try {
    read = await readVex(input, { lenient });
  } catch (e) {
    assert.ok(isCustodyError(e), `untyped error: ${(e as Error)?.stack}`);
    return;
  }
  for (const f of VEX_FORMATS) {
    try {
      writeVex(read.document, f, { now: '2024-01-01T00:00:00Z' });
    } catch (e) {
      assert.ok(isCustodyError(e), `untyped error writing ${f}: ${(e as Error)?.stack}`);
    }
  }
}

/** Every path to a member or item of a JSON value. */
function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return [at, ...v.flatMap((x, i) => paths(x, [...at, i]))];
  if (v !== null && typeof v === 'object')
    return [at, ...Object.entries(v).flatMap(([k, x]) => paths(x, [...at, k]))];
  return [at];
}

function mutate(doc: unknown, path: (string | number)[], value: unknown, remove: boolean): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  if (path.length === 0) return value;
  let cur: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (remove) {
    if (Array.isArray(cur)) cur.splice(last as number, 1);
    else delete cur[last];
  } else cur[last] = value;
  return copy;
}

describe('VEX readers under fuzzing: only typed errors escape', () => {
  it('arbitrary bytes and strings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 200 })),
        fc.boolean(),
        (input, lenient) => onlyTypedErrors(input, lenient),
      ),
      { numRuns: 300 },
    );
  });

  it('arbitrary JSON, also shaped like each format', async () => {
    const shaped = fc.oneof(
      fc.jsonValue(),
      fc.record({
        '@context': fc.constantFrom('https://openvex.dev/ns/v0.2.0', 'https://openvex.dev/ns'),
        statements: fc.jsonValue(),
      }),
      fc.record({
        bomFormat: fc.constant('CycloneDX'),
        specVersion: fc.constantFrom('1.4', '1.6', '1.3', '9'),
        vulnerabilities: fc.jsonValue(),
      }),
      fc.record({
        document: fc.record({ csaf_version: fc.constantFrom('2.0', '2.1') }),
        vulnerabilities: fc.jsonValue(),
      }),
    );
    await fc.assert(
      fc.asyncProperty(shaped, fc.boolean(), (v, lenient) => onlyTypedErrors(v as object, lenient)),
      { numRuns: 300 },
    );
  });

  it('real documents with one member removed or replaced', async () => {
    const arb = fc
      .record({
        seed: fc.nat(SEEDS.length - 1),
        pick: fc.nat(),
        value: fc.jsonValue({ maxDepth: 2 }),
        remove: fc.boolean(),
        lenient: fc.boolean(),
      })
      .map(({ seed, pick, value, remove, lenient }) => {
        const doc = SEEDS[seed];
        const all = paths(doc);
        return {
          doc: mutate(doc, all[pick % all.length] as (string | number)[], value, remove),
          lenient,
        };
      });
    await fc.assert(
      fc.asyncProperty(arb, ({ doc, lenient }) => onlyTypedErrors(JSON.stringify(doc), lenient)),
      { numRuns: 600 },
    );
  });
});
