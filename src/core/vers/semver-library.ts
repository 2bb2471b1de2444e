import { createRequire } from 'node:module';

type Semver = typeof import('semver');

// node-semver takes ~30 ms to load, which every importer of core/ would pay at start-up although
// only npm, Cargo and Go versions need it: it loads on first use (through require, as the
// comparators are synchronous).
const requireOnUse = createRequire(import.meta.url);
let library: Semver | undefined;

/** node-semver, loaded on the first call. */
export function semverLibrary(): Semver {
  library ??= requireOnUse('semver') as Semver;
  return library;
}
