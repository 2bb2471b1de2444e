import type { Q } from './db.js';

/** The current SBOMs of a product's releases (or of one release), with the release version. */
export async function currentSbomsOfProduct(
  q: Q,
  productId: number,
  release?: string,
): Promise<{ sbom_id: number; release: string }[]> {
  let s = q
    .selectFrom('sboms as s')
    .innerJoin('releases as r', 'r.id', 's.release_id')
    .select(['s.id as sbom_id', 'r.version as release'])
    .where('s.product_id', '=', productId)
    .where('s.current', '=', 1);
  if (release !== undefined) s = s.where('r.version', '=', release);
  return s.orderBy('s.id').execute();
}
