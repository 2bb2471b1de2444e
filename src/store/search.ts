import type { ComponentMatch } from '../inventory/query.js';
import type { Q } from './inventory.js';

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

/**
 * Components matching a search, newest first (by index order, which follows ingest order), one
 * page of `limit` rows plus one to tell whether there is more.
 */
export async function searchComponents(q: Q, o: SearchOptions): Promise<ComponentHit[]> {
  let s = q
    .selectFrom('components as c')
    .innerJoin('sboms as s', 's.id', 'c.sbom_id')
    .innerJoin('artifacts as a', 'a.id', 's.artifact_id')
    .innerJoin('releases as r', 'r.id', 'c.release_id')
    .innerJoin('products as p', 'p.id', 'c.product_id')
    .innerJoin('teams as t', 't.id', 'c.team_id')
    .select([
      'c.id',
      'c.purl',
      'c.name',
      'c.version',
      'c.ecosystem',
      'c.scope',
      'c.direct',
      'c.licenses',
      'c.current',
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
  switch (m.by) {
    case 'purl':
      s = s.where('c.package', '=', m.package);
      if (m.purl !== undefined) s = s.where('c.purl', '=', m.purl);
      break;
    case 'name':
      s = s.where('c.name', '=', m.name);
      if (m.ecosystem !== undefined) s = s.where('c.ecosystem', '=', m.ecosystem);
      break;
    case 'hash': {
      const sub = q
        .selectFrom('component_hashes')
        .select('component_id')
        .where('value', '=', m.value);
      s = s.where('c.id', 'in', m.alg === undefined ? sub : sub.where('alg', '=', m.alg));
      break;
    }
    case 'license':
      s = s.where(
        'c.id',
        'in',
        q.selectFrom('component_licenses').select('component_id').where('license', '=', m.license),
      );
      break;
  }
  if ((m.by === 'purl' || m.by === 'name') && m.version !== undefined) {
    s = s.where('c.version', '=', m.version);
  }
  if (o.versions !== undefined) {
    if (o.versions.length === 0) return [];
    s = s.where('c.version', 'in', o.versions);
  }
  if (o.direct !== undefined) s = s.where('c.direct', '=', o.direct ? 1 : 0);
  if (!o.history) s = s.where('c.current', '=', 1);
  if (o.teamIds !== undefined) {
    if (o.teamIds.length === 0) return [];
    s = s.where('c.team_id', 'in', o.teamIds);
  }
  if (o.before !== undefined) s = s.where('c.id', '<', o.before);
  return s
    .orderBy('c.id', 'desc')
    .limit(o.limit + 1)
    .execute();
}

/** The distinct versions recorded for a package (or a bare name), for range filtering. */
export async function versionsOf(
  q: Q,
  match: { by: 'purl'; package: string } | { by: 'name'; name: string; ecosystem?: string },
): Promise<string[]> {
  let s = q.selectFrom('components').select('version').distinct().where('version', 'is not', null);
  if (match.by === 'purl') s = s.where('package', '=', match.package);
  else {
    s = s.where('name', '=', match.name);
    if (match.ecosystem !== undefined) s = s.where('ecosystem', '=', match.ecosystem);
  }
  const rows = await s.execute();
  return rows.map((r) => r.version as string);
}
