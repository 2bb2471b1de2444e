import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  npmPackageLockCataloger,
  pnpmLockCataloger,
  yarnLockCataloger,
} from '../../../../src/sbom/catalogers/npm/index.js';
import { SbomError } from '../../../../src/sbom/errors.js';
import type { Cataloger } from '../../../../src/sbom/model.js';
import { conformancePath } from '../../../helpers/conformance.js';
import { memoryTree } from './memory-tree.js';

// Untrusted input: whatever the bytes, a cataloger returns a result or throws SbomError.
function resultOrSbomError(cat: Cataloger, name: string, bytes: Uint8Array): void {
  try {
    const r = cat.catalog(name, memoryTree({ [name]: bytes }));
    assert.ok(Array.isArray(r.components));
    const refs = new Set(r.components.map((c) => c.ref));
    assert.equal(refs.size, r.components.length);
  } catch (e) {
    assert.ok(
      e instanceof SbomError,
      `${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`,
    );
    assert.equal(e.code, 'SBOM_LOCKFILE_PARSE');
    // the readers' own checks caught it, not the last-resort net around them
    assert.ok(!(e.cause instanceof TypeError || e.cause instanceof RangeError), e.message);
  }
}

// Mutations that keep most of a real file: cut it, splice in bytes, or swap two slices.
const mutation = (seed: Uint8Array) =>
  fc
    .tuple(
      fc.nat(),
      fc.nat(),
      fc.uint8Array({ maxLength: 16 }),
      fc.constantFrom('cut', 'splice', 'swap'),
    )
    .map(([a, b, insert, kind]) => {
      const i = a % (seed.length + 1);
      const j = b % (seed.length + 1);
      const [lo, hi] = i < j ? [i, j] : [j, i];
      if (kind === 'cut') return seed.subarray(0, lo);
      if (kind === 'splice')
        return Buffer.concat([seed.subarray(0, lo), insert, seed.subarray(hi)]);
      return Buffer.concat([seed.subarray(hi), seed.subarray(lo, hi), seed.subarray(0, lo)]);
    });

const CASES: [Cataloger, string, string, string][] = [
  [npmPackageLockCataloger, 'package-lock.json', 'npm', 'syft__alias-package-lock-2.json'],
  [yarnLockCataloger, 'yarn.lock', 'yarn', 'syft__yarn-berry.yarn.lock'],
  [yarnLockCataloger, 'yarn.lock', 'yarn', 'cdxgen__yarn-at.lock'],
  [pnpmLockCataloger, 'pnpm-lock.yaml', 'pnpm', 'syft__pnpm-v6.pnpm-lock.yaml'],
];

describe('npm-ecosystem catalogers on arbitrary input', () => {
  for (const [cat, name, folder, seedFile] of CASES) {
    it(`${cat.name}: arbitrary bytes give a result or SbomError`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) =>
          resultOrSbomError(cat, name, bytes),
        ),
        { numRuns: 300 },
      );
    });
    it(`${cat.name}: mutations of ${seedFile} give a result or SbomError`, () => {
      const seed = readFileSync(conformancePath('lockfiles', folder, seedFile));
      fc.assert(
        fc.property(mutation(seed), (bytes) => resultOrSbomError(cat, name, bytes)),
        { numRuns: 300 },
      );
    });
  }

  it('npm-package-lock: structurally odd JSON gives a result or SbomError', () => {
    const odd = fc.oneof(fc.jsonValue(), fc.constant(null));
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(
            '',
            'node_modules/a',
            'node_modules/a/node_modules/b',
            'ws',
            'node_modules/ws',
          ),
          odd,
        ),
        odd,
        (packages, deps) => {
          const text = JSON.stringify({ lockfileVersion: 2, packages, dependencies: deps });
          resultOrSbomError(npmPackageLockCataloger, 'package-lock.json', Buffer.from(text));
          const v1 = JSON.stringify({
            lockfileVersion: 1,
            dependencies: { a: { requires: deps, dependencies: packages } },
          });
          resultOrSbomError(npmPackageLockCataloger, 'package-lock.json', Buffer.from(v1));
        },
      ),
      { numRuns: 300 },
    );
  });
});
