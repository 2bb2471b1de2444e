import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { SbomError } from '../../../../src/sbom/errors.js';
import type { Cataloger, FileTree } from '../../../../src/sbom/model.js';

/** A FileTree over in-memory files (path → bytes or text), shared by the language cataloger tests. */
export function memoryTree(files: Record<string, Uint8Array | string>): FileTree {
  const map = new Map<string, Uint8Array>();
  for (const [k, v] of Object.entries(files)) {
    map.set(k, typeof v === 'string' ? new TextEncoder().encode(v) : v);
  }
  return { list: () => map.keys(), read: (p) => map.get(p) };
}

/** A tree holding one real file (read from disk) at `as`. */
export function treeOf(diskPath: string, as: string): FileTree {
  return memoryTree({ [as]: readFileSync(diskPath) });
}

/**
 * fast-check arbitrary of "almost right" inputs: random bytes, random text, and mutations of a
 * real sample (truncated, a byte flipped, a slice duplicated, lines shuffled).
 */
export function mutatedInputs(seed: Uint8Array): fc.Arbitrary<Uint8Array> {
  const text = new TextDecoder().decode(seed);
  const lines = text.split('\n');
  return fc.oneof(
    fc.uint8Array({ maxLength: 512 }),
    fc.string({ maxLength: 300 }).map((s) => new TextEncoder().encode(s)),
    fc.nat().map((n) => seed.subarray(0, n % (seed.length + 1))),
    fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([n, b]) => {
      const copy = Uint8Array.from(seed);
      if (copy.length > 0) copy[n % copy.length] = b;
      return copy;
    }),
    fc.tuple(fc.nat(), fc.nat(), fc.string({ maxLength: 40 })).map(([a, b, s]) => {
      const i = a % (lines.length || 1);
      const j = b % (lines.length || 1);
      const copy = [...lines];
      copy[i] = `${s}${copy[j] ?? ''}`;
      return new TextEncoder().encode(copy.join('\n'));
    }),
  );
}

/** Cataloging any input either succeeds or throws SbomError SBOM_LOCKFILE_PARSE; sniff never throws. */
export function assertCatalogsOrSbomError(
  cataloger: Cataloger,
  as: string,
  seed: Uint8Array,
  extra: Record<string, Uint8Array | string> = {},
  numRuns = 150,
): void {
  fc.assert(
    fc.property(mutatedInputs(seed), (bytes) => {
      cataloger.sniff(as, new TextDecoder().decode(bytes.subarray(0, 2048)));
      try {
        const r = cataloger.catalog(as, memoryTree({ ...extra, [as]: bytes }));
        const refs = new Set(r.components.map((c) => c.ref));
        assert.equal(refs.size, r.components.length, 'refs are unique');
        for (const c of r.components) for (const d of c.dependsOn) assert.ok(refs.has(d));
        for (const d of r.rootDependsOn) assert.ok(refs.has(d));
      } catch (e) {
        if (e instanceof assert.AssertionError) throw e;
        assert.ok(e instanceof SbomError, `expected SbomError, got ${(e as Error)?.stack}`);
        assert.equal(e.code, 'SBOM_LOCKFILE_PARSE');
        assert.ok(e.message.includes(as), 'the message names the file');
      }
    }),
    { numRuns },
  );
}
