import type { Q } from './db.js';

export interface CoverageCounts {
  products: number;
  releases: number;
  releasesWithSbom: number;
  artifacts: number;
  artifactsWithSbom: number;
  artifactsWithSignedSbom: number;
  sboms: number;
  currentSboms: number;
  indexedComponents: number;
}

/** Counts over the whole portfolio, or over the given teams. */
export async function coverageCounts(q: Q, teamIds?: readonly number[]): Promise<CoverageCounts> {
  const none = teamIds !== undefined && teamIds.length === 0;
  const ids = none ? [-1] : teamIds;
  let products = q.selectFrom('products').select((eb) => eb.fn.countAll<number>().as('n'));
  let releases = q
    .selectFrom('releases as r')
    .innerJoin('products as p', 'p.id', 'r.product_id')
    .select((eb) => eb.fn.countAll<number>().as('n'));
  let artifacts = q
    .selectFrom('artifacts as a')
    .innerJoin('releases as r', 'r.id', 'a.release_id')
    .innerJoin('products as p', 'p.id', 'r.product_id')
    .select((eb) => eb.fn.countAll<number>().as('n'));
  let sboms = q
    .selectFrom('sboms')
    .select((eb) => [
      eb.fn.countAll<number>().as('n'),
      eb.fn.count<number>('release_id').distinct().as('releases'),
      eb.fn.count<number>('artifact_id').distinct().as('artifacts'),
    ]);
  let current = q
    .selectFrom('sboms')
    .where('current', '=', 1)
    .select((eb) => [
      eb.fn.countAll<number>().as('n'),
      eb.fn.sum<number>('component_count').as('components'),
    ]);
  // Signed means the artifact's current SBOM carries a verified bundle (sbom_signatures).
  let signed = q
    .selectFrom('sboms')
    .where('signed', '=', 1)
    .where('current', '=', 1)
    .select((eb) => eb.fn.count<number>('artifact_id').distinct().as('n'));
  if (ids !== undefined) {
    products = products.where('team_id', 'in', ids);
    releases = releases.where('p.team_id', 'in', ids);
    artifacts = artifacts.where('p.team_id', 'in', ids);
    sboms = sboms.where('team_id', 'in', ids);
    current = current.where('team_id', 'in', ids);
    signed = signed.where('team_id', 'in', ids);
  }
  const [p, r, a, s, c, g] = await Promise.all([
    products.executeTakeFirstOrThrow(),
    releases.executeTakeFirstOrThrow(),
    artifacts.executeTakeFirstOrThrow(),
    sboms.executeTakeFirstOrThrow(),
    current.executeTakeFirstOrThrow(),
    signed.executeTakeFirstOrThrow(),
  ]);
  return {
    products: Number(p.n),
    releases: Number(r.n),
    releasesWithSbom: Number(s.releases),
    artifacts: Number(a.n),
    artifactsWithSbom: Number(s.artifacts),
    artifactsWithSignedSbom: Number(g.n),
    sboms: Number(s.n),
    currentSboms: Number(c.n),
    indexedComponents: Number(c.components ?? 0),
  };
}

export interface TeamSignedCounts {
  team: string;
  currentSboms: number;
  signedSboms: number;
}

/** Current SBOMs and how many of them are signed, per team (teams without SBOMs left out). */
export async function signedByTeam(q: Q, teamIds?: readonly number[]): Promise<TeamSignedCounts[]> {
  let s = q
    .selectFrom('sboms as s')
    .innerJoin('teams as t', 't.id', 's.team_id')
    .where('s.current', '=', 1)
    .select((eb) => [
      't.name as team',
      eb.fn.countAll<number>().as('n'),
      eb.fn.sum<number>('s.signed').as('signed'),
    ])
    .groupBy('t.name')
    .orderBy('t.name');
  if (teamIds !== undefined) s = s.where('s.team_id', 'in', teamIds.length === 0 ? [-1] : teamIds);
  return (await s.execute()).map((r) => ({
    team: r.team,
    currentSboms: Number(r.n),
    signedSboms: Number(r.signed ?? 0),
  }));
}

export interface DeployedRelease {
  id: number;
  product: string;
  version: string;
  team_id: number;
  created_at: string;
  rebuilt_at: string | null;
  /** The newest current SBOM's document time (or ingest time when it has none); null: no SBOM. */
  newest: string | null;
}

export async function deployedReleases(
  q: Q,
  teamIds?: readonly number[],
): Promise<DeployedRelease[]> {
  let s = q
    .selectFrom('releases as r')
    .innerJoin('products as p', 'p.id', 'r.product_id')
    .leftJoin('sboms as s', (j) => j.onRef('s.release_id', '=', 'r.id').on('s.current', '=', 1))
    .where('r.deployed', '=', 1)
    .select((eb) => [
      'r.id',
      'p.name as product',
      'r.version',
      'p.team_id',
      'r.created_at',
      'r.rebuilt_at',
      eb.fn.max(eb.fn.coalesce('s.document_created', 's.created_at')).as('newest'),
    ])
    .groupBy(['r.id', 'p.name', 'r.version', 'p.team_id', 'r.created_at', 'r.rebuilt_at']);
  if (teamIds !== undefined) s = s.where('p.team_id', 'in', teamIds.length === 0 ? [-1] : teamIds);
  const rows = await s.execute();
  return rows.map((r) => ({
    ...r,
    team_id: Number(r.team_id),
    newest: (r.newest as string | null) ?? null,
  }));
}

/** Current SBOMs per whole quality point (score 0–10 stored in tenths). */
export async function qualityHistogram(
  q: Q,
  teamIds?: readonly number[],
): Promise<{ histogram: number[]; count: number; sumTenths: number }> {
  let s = q
    .selectFrom('sboms')
    .where('current', '=', 1)
    .select((eb) => ['quality_score', eb.fn.countAll<number>().as('n')])
    .groupBy('quality_score');
  if (teamIds !== undefined) s = s.where('team_id', 'in', teamIds.length === 0 ? [-1] : teamIds);
  const histogram = new Array<number>(11).fill(0);
  let count = 0;
  let sumTenths = 0;
  for (const r of await s.execute()) {
    const n = Number(r.n);
    const b = Math.min(10, Math.floor(r.quality_score / 10));
    histogram[b] = (histogram[b] as number) + n;
    count += n;
    sumTenths += r.quality_score * n;
  }
  return { histogram, count, sumTenths };
}
