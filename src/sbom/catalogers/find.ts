import type { Cataloger } from '../model.js';

/** The paths some cataloger reads, each with the first cataloger that reads it. */
export function findCatalogTargets(
  paths: Iterable<string>,
  catalogers: readonly Cataloger[],
): { path: string; cataloger: Cataloger }[] {
  const out: { path: string; cataloger: Cataloger }[] = [];
  for (const path of paths) {
    const cataloger = catalogers.find((c) => c.matches(path));
    if (cataloger) out.push({ path, cataloger });
  }
  return out;
}

/** The cataloger that reads this file: by its name first, else by recognising its content. */
export function sniffCataloger(
  path: string,
  head: string,
  catalogers: readonly Cataloger[],
): Cataloger | undefined {
  return catalogers.find((c) => c.matches(path)) ?? catalogers.find((c) => c.sniff(path, head));
}
