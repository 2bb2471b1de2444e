import type { Cataloger, FileTree } from '../model.js';

/**
 * Every cataloger Custody runs, in the order results are reported. Order matters only for
 * sniffing an explicitly named file: the first cataloger whose `sniff` accepts it reads it.
 */
export const CATALOGERS: readonly Cataloger[] = [];

/** The files in `tree` some cataloger reads, each with the cataloger that reads it. */
export function findCatalogTargets(
  tree: FileTree,
  catalogers: readonly Cataloger[] = CATALOGERS,
): { path: string; cataloger: Cataloger }[] {
  const out: { path: string; cataloger: Cataloger }[] = [];
  for (const path of tree.list()) {
    for (const cataloger of catalogers) {
      if (cataloger.matches(path)) {
        out.push({ path, cataloger });
        break;
      }
    }
  }
  return out;
}

/** The cataloger that recognises this file's content, whatever it is called. */
export function sniffCataloger(
  path: string,
  head: string,
  catalogers: readonly Cataloger[] = CATALOGERS,
): Cataloger | undefined {
  return (
    catalogers.find((c) => c.matches(path)) ?? catalogers.find((c) => c.sniff(path, head))
  );
}
