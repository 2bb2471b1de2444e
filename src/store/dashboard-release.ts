import { containsPattern } from './dashboard.js';
import type { Q } from './db.js';

// The dashboard's reads about one release, and the search by component (app/dashboard/).

const ids = (xs: readonly number[]): number[] => (xs.length === 0 ? [-1] : [...xs]);

/** The release of the product just before this one (releases_product_id index, migration 0021). */
export async function previousRelease(
  q: Q,
  productId: number,
  releaseId: number,
): Promise<{ id: number; version: string } | undefined> {
  const r = await q
    .selectFrom('releases')
    .select(['id', 'version'])
    .where('product_id', '=', productId)
    .where('id', '<', releaseId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r ? { id: Number(r.id), version: r.version } : undefined;
}

export interface SignatureRow {
  sbom_id: number;
  bundle_digest: string;
  signer_kind: string;
  identity: string | null;
  issuer: string | null;
  key_name: string | null;
  key_hint: string | null;
  log_index: number | null;
  created_at: string;
}

/** The verified bundles over some SBOMs (sbom_signatures_sbom_bundle index). */
export async function signaturesOfSboms(q: Q, sbomIds: readonly number[]): Promise<SignatureRow[]> {
  const rows = await q
    .selectFrom('sbom_signatures')
    .select([
      'sbom_id',
      'bundle_digest',
      'signer_kind',
      'identity',
      'issuer',
      'key_name',
      'key_hint',
      'log_index',
      'created_at',
    ])
    .where('sbom_id', 'in', ids(sbomIds))
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    ...r,
    sbom_id: Number(r.sbom_id),
    log_index: r.log_index === null ? null : Number(r.log_index),
  }));
}

/** Of these identities, the ones a Custody emergency certificate was issued to in the team. */
export async function emergencyIdentities(
  q: Q,
  teamId: number,
  identities: readonly string[],
): Promise<Set<string>> {
  if (identities.length === 0) return new Set();
  const rows = await q
    .selectFrom('emergency_requests')
    .select('identity')
    .distinct()
    .where('team_id', '=', teamId)
    .where('status', '=', 'issued')
    .where('identity', 'in', [...identities])
    .execute();
  return new Set(rows.map((r) => r.identity));
}

/** Log entries about these subjects (artifact and SBOM digests; tlog_entries_subject index). */
export async function logIndexesOfSubjects(
  q: Q,
  subjects: readonly string[],
  limit: number,
): Promise<number[]> {
  if (subjects.length === 0) return [];
  const rows = await q
    .selectFrom('tlog_entries')
    .select('idx')
    .where('subject', 'in', [...subjects])
    .orderBy('idx')
    .limit(limit)
    .execute();
  return rows.map((r) => Number(r.idx));
}

export interface ComponentRow {
  id: number;
  sbom_id: number;
  purl: string | null;
  name: string;
  version: string | null;
  licenses: string | null;
}

/**
 * Components of some SBOMs in id order from `afterId` (components_sbom index), optionally those
 * whose name or purl contains `text`.
 */
export async function componentsOfSbomsPage(
  q: Q,
  sbomIds: readonly number[],
  o: { text?: string | undefined; afterId?: number | undefined; limit: number },
): Promise<ComponentRow[]> {
  let s = q
    .selectFrom('components as c')
    .innerJoin('packages as k', 'k.id', 'c.package_id')
    .select(['c.id', 'c.sbom_id', 'c.purl', 'k.name', 'c.version', 'c.licenses'])
    .where('c.sbom_id', 'in', ids(sbomIds))
    .orderBy('c.id')
    .limit(o.limit + 1);
  if (o.afterId !== undefined) s = s.where('c.id', '>', o.afterId);
  if (o.text !== undefined && o.text !== '') {
    const like = containsPattern(o.text);
    s = s.where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['k.name']), 'like', eb.val(like)),
        eb(eb.fn('lower', ['c.purl']), 'like', eb.val(like)),
      ]),
    );
  }
  return (await s.execute()).map((r) => ({ ...r, id: Number(r.id), sbom_id: Number(r.sbom_id) }));
}

/** The hashes of some components (component_hashes_component index, migration 0021). */
export async function hashesOfComponents(
  q: Q,
  componentIds: readonly number[],
): Promise<{ component_id: number; alg: string; value: string }[]> {
  const rows = await q
    .selectFrom('component_hashes')
    .select(['component_id', 'alg', 'value'])
    .where('component_id', 'in', ids(componentIds))
    .orderBy('component_id')
    .orderBy('alg')
    .execute();
  return rows.map((r) => ({ ...r, component_id: Number(r.component_id) }));
}

export interface ReleaseMatchFilter {
  packageIds: readonly number[];
  /** Exact versions (a version, or those a range admits); undefined: any. */
  versions?: readonly string[] | undefined;
  /** An exact canonical purl (with qualifiers). */
  purl?: string | undefined;
  teamIds?: readonly number[] | undefined;
  /** Releases with an id below this (keyset, newest first). */
  before?: number | undefined;
  limit: number;
}

/**
 * The releases whose current SBOMs hold a component of these packages, newest first: the ids
 * come off the (package_id, version, id) index, grouped by release; one page plus one row.
 */
export async function releasesWithPackages(q: Q, f: ReleaseMatchFilter): Promise<number[]> {
  if (f.packageIds.length === 0 || (f.versions && f.versions.length === 0)) return [];
  let s = q
    .selectFrom('components as c')
    .innerJoin('sboms as s', 's.id', 'c.sbom_id')
    .select('s.release_id')
    .where('c.package_id', 'in', [...f.packageIds])
    .where('s.current', '=', 1)
    .groupBy('s.release_id')
    .orderBy('s.release_id', 'desc')
    .limit(f.limit + 1);
  if (f.versions) s = s.where('c.version', 'in', [...f.versions]);
  if (f.purl !== undefined) s = s.where('c.purl', '=', f.purl);
  if (f.teamIds !== undefined) s = s.where('s.team_id', 'in', ids(f.teamIds));
  if (f.before !== undefined) s = s.where('s.release_id', '<', f.before);
  return (await s.execute()).map((r) => Number(r.release_id));
}

/** The matching components of some releases' current SBOMs. */
export async function matchingComponentsOfReleases(
  q: Q,
  releaseIds: readonly number[],
  f: Pick<ReleaseMatchFilter, 'packageIds' | 'versions' | 'purl'>,
): Promise<{ release_id: number; purl: string | null; name: string; version: string | null }[]> {
  let s = q
    .selectFrom('components as c')
    .innerJoin('sboms as s', 's.id', 'c.sbom_id')
    .innerJoin('packages as k', 'k.id', 'c.package_id')
    .select(['s.release_id', 'c.purl', 'k.name', 'c.version'])
    .distinct()
    .where('s.release_id', 'in', ids(releaseIds))
    .where('s.current', '=', 1)
    .where('c.package_id', 'in', ids(f.packageIds))
    .orderBy('s.release_id', 'desc')
    .orderBy('c.purl');
  if (f.versions) s = s.where('c.version', 'in', ids0(f.versions));
  if (f.purl !== undefined) s = s.where('c.purl', '=', f.purl);
  return (await s.execute()).map((r) => ({ ...r, release_id: Number(r.release_id) }));
}

const ids0 = (xs: readonly string[]): string[] => (xs.length === 0 ? [''] : [...xs]);

export interface ReleaseHeadRow {
  id: number;
  product: string;
  version: string;
  team: string;
  deployed: number;
}

/** Product, version and team of some releases (by primary key). */
export async function releaseHeads(q: Q, releaseIds: readonly number[]): Promise<ReleaseHeadRow[]> {
  const rows = await q
    .selectFrom('releases as r')
    .innerJoin('products as p', 'p.id', 'r.product_id')
    .innerJoin('teams as t', 't.id', 'p.team_id')
    .select(['r.id', 'p.name as product', 'r.version', 't.name as team', 'r.deployed'])
    .where('r.id', 'in', ids(releaseIds))
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** Release ids by (product, version) pairs. */
export async function releaseIdsByName(
  q: Q,
  pairs: readonly { product: string; version: string }[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (pairs.length === 0) return out;
  const products = [...new Set(pairs.map((p) => p.product))];
  const rows = await q
    .selectFrom('releases as r')
    .innerJoin('products as p', 'p.id', 'r.product_id')
    .select(['r.id', 'p.name as product', 'r.version'])
    .where('p.name', 'in', products)
    .where('r.version', 'in', [...new Set(pairs.map((p) => p.version))])
    .execute();
  for (const r of rows) out.set(`${r.product}\u0000${r.version}`, Number(r.id));
  return out;
}
