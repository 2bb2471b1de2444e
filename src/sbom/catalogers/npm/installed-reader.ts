import type { FileTree } from '../../model.js';
import { type InstalledPackage, readInstalledPackage } from './installed-package.js';

/** Consecutive misses after which a tree with no installed package is taken to have none. */
const PROBE_MISSES = 64;

export interface InstalledReader {
  /** The installed package.json at `path()` (computed only when it will be read). */
  read(path: () => string): InstalledPackage | undefined;
}

/**
 * Reads installed package.json files for a lockfile's packages, giving up after PROBE_MISSES
 * misses in a row when none has been found at all: a lockfile scanned without node_modules (the
 * common case in CI) then costs 64 failed reads, not one per package.
 */
export function createInstalledReader(tree: FileTree): InstalledReader {
  let hits = 0;
  let misses = 0;
  return {
    read(path) {
      if (hits === 0 && misses >= PROBE_MISSES) return undefined;
      const pkg = readInstalledPackage(tree, path());
      if (pkg) hits++;
      else misses++;
      return pkg;
    },
  };
}
