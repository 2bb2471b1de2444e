import type { ComponentMatch } from '../inventory/index.js';
import { hashKey } from './component-index.js';
import type { Q } from './db.js';

/** One hit of a component search: the component and where it ships. */
export interface ComponentHit {
  id: number;
  purl: string | null;
  name: string;
  version: string | null;
  ecosystem: string | null;
  scope: string | null;
  direct: number;
  licenses: string | null;
  current: number;
  sbom_id: number;
  release_id: number;
  release_version: string;
  release_created_at: string;
  deployed: number;
  product_id: number;
  product: string;
  team: string;
  artifact_id: number;
  artifact_digest: string;
  artifact_name: string | null;
}

export interface SearchOptions {
  match: ComponentMatch;
  /** Versions that satisfy a range, decided by the caller from `versionsOf`. */
  versions?: readonly string[];
  direct?: boolean;
  history: boolean;
  /** undefined: every team. */
  teamIds?: readonly number[];
  limit: number;
  before?: number;
}

/** The package dictionary ids a purl or name search is about. */
export async function packageIdsFor(
  q: Q,
  match: { by: 'purl'; package: string } | { by: 'name'; name: string; ecosystem?: string },
): Promise<number[]> {
  let s = q.selectFrom('packages').select('id');
  if (match.by === 'purl') s = s.where('package', '=', match.package);
  else {
    s = s.where('name', '=', match.name);
    if (match.ecosystem !== undefined) s = s.where('ecosystem', '=', match.ecosystem);
  }
  return (await s.execute()).map((r) => r.id);
}

/**
 * Components matching a search, newest first (by index order, which follows ingest order), one
 * page of `limit` rows plus one to tell whether there is more. `packageIds` must come from
 * `packageIdsFor` for purl and name searches.
 */
export async function searchComponents(
  q: Q,
  o: SearchOptions,
  packageIds?: readonly number[],
): Promise<ComponentHit[]> {
  const m = o.match;
  if (m.by === 'hash' || m.by === 'license') return searchByLink(q, o, m);
  if (!packageIds || packageIds.length === 0) return [];
  if (o.versions !== undefined && o.versions.length === 0) return [];
  return searchByPackage(q, o, m, packageIds);
}

/**
 * Purl and name searches in two steps: the ids of matching rows, newest first, straight from the
 * (package_id, version, id) index without touching the table; then the page's rows with their
 * release, product and artifact. A popular package at a popular version has thousands of rows;
 * only the page's are joined.
 */
async function searchByPackage(
  q: Q,
  o: SearchOptions,
  m: Extract<ComponentMatch, { by: 'purl' | 'name' }>,
  packageIds: readonly number[],
): Promise<ComponentHit[]> {
  const hits: ComponentHit[] = [];
  let before = o.before;
  for (;;) {
    let c = q.selectFrom('components').select('id').where('package_id', 'in', packageIds);
    if (m.version !== undefined) c = c.where('version', '=', m.version);
    if (o.versions !== undefined) c = c.where('version', 'in', o.versions);
    if (before !== undefined) c = c.where('id', '<', before);
    const ids = (await c.orderBy('id', 'desc').limit(SLICE).execute()).map((r) => r.id);
    if (ids.length === 0) return hits;
    if ((await fill(q, o, ids, hits)) || ids.length < SLICE) return hits.slice(0, o.limit + 1);
    before = ids[ids.length - 1];
  }
}

// A licence like MIT links to millions of components. Walking its link-table key downwards in
// slices, and fetching each slice's components by id, keeps the cost proportional to the page,
// not to the licence's popularity.
const SLICE = 500;

/**
 * Join the rows of `ids` (newest first) a chunk at a time, each chunk as big as the page still
 * needs, so a page of 50 joins about 51 rows whatever the slice holds. True when the page is full.
 */
async function fill(
  q: Q,
  o: SearchOptions,
  ids: readonly number[],
  hits: ComponentHit[],
): Promise<boolean> {
  for (let i = 0; i < ids.length && hits.length <= o.limit; ) {
    const chunk = ids.slice(i, i + Math.max(16, o.limit + 1 - hits.length));
    i += chunk.length;
    hits.push(...(await componentQuery(q, { ...o, limit: o.limit - hits.length }, chunk)));
  }
  return hits.length > o.limit;
}

async function searchByLink(
  q: Q,
  o: SearchOptions,
  m: Extract<ComponentMatch, { by: 'hash' | 'license' }>,
): Promise<ComponentHit[]> {
  let licenseId: number | undefined;
  if (m.by === 'license') {
    const l = await q
      .selectFrom('licenses')
      .select('id')
      .where('name', '=', m.license)
      .executeTakeFirst();
    if (!l) return [];
    licenseId = l.id;
  }
  const hits: ComponentHit[] = [];
  let before = o.before;
  for (;;) {
    let ids: number[];
    if (licenseId !== undefined) {
      let c = q
        .selectFrom('component_licenses')
        .select('component_id')
        .where('license_id', '=', licenseId);
      if (before !== undefined) c = c.where('component_id', '<', before);
      ids = (await c.orderBy('component_id', 'desc').limit(SLICE).execute()).map(
        (r) => r.component_id,
      );
    } else {
      const h = m as Extract<ComponentMatch, { by: 'hash' }>;
      let c = q
        .selectFrom('component_hashes')
        .select('component_id')
        .where('key', '=', hashKey(h.value))
        .where('value', '=', h.value);
      if (h.alg !== undefined) c = c.where('alg', '=', h.alg);
      if (before !== undefined) c = c.where('component_id', '<', before);
      ids = (await c.orderBy('component_id', 'desc').limit(SLICE).execute()).map(
        (r) => r.component_id,
      );
    }
    if (ids.length === 0) return hits;
    if ((await fill(q, o, ids, hits)) || ids.length < SLICE) return hits.slice(0, o.limit + 1);
    before = ids[ids.length - 1];
  }
}

/** The rows of `componentIds` that pass the search's filters, with where each ships. */
async function componentQuery(
  q: Q,
  o: SearchOptions,
  componentIds: readonly number[],
): Promise<ComponentHit[]> {
  let s = q
    .selectFrom('components as c')
    .innerJoin('packages as k', 'k.id', 'c.package_id')
    .innerJoin('sboms as s', 's.id', 'c.sbom_id')
    .innerJoin('artifacts as a', 'a.id', 's.artifact_id')
    .innerJoin('releases as r', 'r.id', 's.release_id')
    .innerJoin('products as p', 'p.id', 's.product_id')
    .innerJoin('teams as t', 't.id', 's.team_id')
    .select([
      'c.id',
      'c.purl',
      'k.name',
      'c.version',
      'k.ecosystem',
      'c.scope',
      'c.direct',
      'c.licenses',
      's.current',
      'c.sbom_id',
      'r.id as release_id',
      'r.version as release_version',
      'r.created_at as release_created_at',
      'r.deployed',
      'p.id as product_id',
      'p.name as product',
      't.name as team',
      'a.id as artifact_id',
      'a.digest as artifact_digest',
      'a.name as artifact_name',
    ]);
  const m = o.match;
  s = s.where('c.id', 'in', componentIds);
  // Package, version and range were applied when the ids were chosen; qualifiers were not.
  if (m.by === 'purl' && m.purl !== undefined) s = s.where('c.purl', '=', m.purl);
  if (o.direct !== undefined) s = s.where('c.direct', '=', o.direct ? 1 : 0);
  if (!o.history) s = s.where('s.current', '=', 1);
  if (o.teamIds !== undefined) {
    if (o.teamIds.length === 0) return [];
    s = s.where('s.team_id', 'in', o.teamIds);
  }
  return s
    .orderBy('c.id', 'desc')
    .limit(o.limit + 1)
    .execute();
}

/** The distinct versions recorded for these packages, for range filtering. */
export async function versionsOf(q: Q, packageIds: readonly number[]): Promise<string[]> {
  if (packageIds.length === 0) return [];
  const rows = await q
    .selectFrom('components')
    .select('version')
    .distinct()
    .where('package_id', 'in', packageIds)
    .where('version', 'is not', null)
    .execute();
  return rows.map((r) => r.version as string);
}
