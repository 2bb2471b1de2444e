import type { Q } from './db.js';

// The dashboard's reads of findings and VEX statements (app/dashboard/): counts grouped in the
// database, by the vuln_findings indexes (artifact, team) and vex_statements_product.

const ids = (xs: readonly number[]): number[] => (xs.length === 0 ? [-1] : [...xs]);
const CHUNK = 500;

export interface SeverityCountRow {
  key: number;
  severity_rating: string;
  n: number;
}

export async function openFindingsOfArtifacts(
  q: Q,
  artifactIds: readonly number[],
): Promise<SeverityCountRow[]> {
  const rows = await q
    .selectFrom('vuln_findings')
    .select((eb) => ['release_id as key', 'severity_rating', eb.fn.countAll<number>().as('n')])
    .where('artifact_id', 'in', ids(artifactIds))
    .where('closed_at', 'is', null)
    .groupBy(['release_id', 'severity_rating'])
    .execute();
  return rows.map((r) => ({ ...r, key: Number(r.key), n: Number(r.n) }));
}

export async function openFindingsByTeam(
  q: Q,
  teamIds: readonly number[] | undefined,
): Promise<SeverityCountRow[]> {
  let s = q
    .selectFrom('vuln_findings')
    .select((eb) => ['team_id as key', 'severity_rating', eb.fn.countAll<number>().as('n')])
    .where('closed_at', 'is', null)
    .groupBy(['team_id', 'severity_rating']);
  if (teamIds !== undefined) s = s.where('team_id', 'in', ids(teamIds));
  return (await s.execute()).map((r) => ({ ...r, key: Number(r.key), n: Number(r.n) }));
}

export interface VexCandidateRow {
  id: number;
  team_id: number;
  team: string;
  product: string;
  vulnerability: string;
  status: string;
  version: number;
  confidential: number;
  drafted_by: string;
  body: string;
  created_at: string;
  updated_at: string;
}

export async function undecidedVexStatements(
  q: Q,
  teamIds: readonly number[] | undefined,
): Promise<VexCandidateRow[]> {
  let s = q
    .selectFrom('vex_statements as v')
    .innerJoin('products as p', 'p.id', 'v.product_id')
    .innerJoin('teams as t', 't.id', 'v.team_id')
    .select([
      'v.id',
      'v.team_id',
      't.name as team',
      'p.name as product',
      'v.vulnerability',
      'v.status',
      'v.version',
      'v.confidential',
      'v.drafted_by',
      'v.body',
      'v.created_at',
      'v.updated_at',
    ])
    .where('v.approved_by', 'is', null)
    .orderBy('v.id');
  if (teamIds !== undefined) s = s.where('v.team_id', 'in', ids(teamIds));
  return (await s.execute()).map((r) => ({ ...r, id: Number(r.id), team_id: Number(r.team_id) }));
}

export interface RiskRow {
  purl: string;
  open_high_critical: number;
  deployed_releases: number;
}

export async function riskContributors(
  q: Q,
  teamIds: readonly number[] | undefined,
  limit: number,
): Promise<RiskRow[]> {
  let s = q
    .selectFrom('vuln_findings as f')
    .innerJoin('releases as r', 'r.id', 'f.release_id')
    .select((eb) => [
      'f.purl',
      eb.fn.count<number>('f.advisory_id').distinct().as('open_high_critical'),
      eb.fn
        .count<number>(eb.case().when('r.deployed', '=', 1).then(eb.ref('f.release_id')).end())
        .distinct()
        .as('deployed_releases'),
    ])
    .where('f.closed_at', 'is', null)
    .where('f.severity_rating', 'in', ['critical', 'high'])
    .groupBy('f.purl');
  if (teamIds !== undefined) s = s.where('f.team_id', 'in', ids(teamIds));
  const rows = await s.execute();
  return rows
    .map((r) => ({
      purl: r.purl,
      open_high_critical: Number(r.open_high_critical),
      deployed_releases: Number(r.deployed_releases),
    }))
    .sort(
      (a, b) =>
        b.open_high_critical * b.deployed_releases - a.open_high_critical * a.deployed_releases ||
        b.open_high_critical - a.open_high_critical ||
        (a.purl < b.purl ? -1 : a.purl > b.purl ? 1 : 0),
    )
    .slice(0, limit);
}

export async function openHighCriticalAdvisories(
  q: Q,
  purls: readonly string[],
  teamIds: readonly number[] | undefined,
): Promise<{ purl: string; advisory_id: string }[]> {
  if (purls.length === 0) return [];
  let s = q
    .selectFrom('vuln_findings')
    .select(['purl', 'advisory_id'])
    .distinct()
    .where('purl', 'in', [...purls])
    .where('closed_at', 'is', null)
    .where('severity_rating', 'in', ['critical', 'high'])
    .orderBy('advisory_id');
  if (teamIds !== undefined) s = s.where('team_id', 'in', ids(teamIds));
  return s.execute();
}

export interface AdvisoryProductRow {
  advisory_id: string;
  product_id: number;
  team_id: number;
  releases: number;
  deployed: number;
  opened_at: string;
}

export async function openFindingsByAdvisoryProduct(
  q: Q,
  teamIds: readonly number[] | undefined,
): Promise<AdvisoryProductRow[]> {
  let s = q
    .selectFrom('vuln_findings as f')
    .innerJoin('releases as r', 'r.id', 'f.release_id')
    .select((eb) => [
      'f.advisory_id',
      'f.product_id',
      'f.team_id',
      eb.fn.count<number>('f.release_id').distinct().as('releases'),
      eb.fn
        .count<number>(eb.case().when('r.deployed', '=', 1).then(eb.ref('f.release_id')).end())
        .distinct()
        .as('deployed'),
      eb.fn.min('f.opened_at').as('opened_at'),
    ])
    .where('f.closed_at', 'is', null)
    .groupBy(['f.advisory_id', 'f.product_id', 'f.team_id']);
  if (teamIds !== undefined) s = s.where('f.team_id', 'in', ids(teamIds));
  return (await s.execute()).map((r) => ({
    advisory_id: r.advisory_id,
    product_id: Number(r.product_id),
    team_id: Number(r.team_id),
    releases: Number(r.releases),
    deployed: Number(r.deployed),
    opened_at: r.opened_at as string,
  }));
}

export interface ProductVexRow {
  product_id: number;
  vulnerability: string;
  status: string;
  approved_by: string | null;
  confidential: number;
  team: string;
  body: string;
  created_at: string;
}

export async function vexOfProducts(
  q: Q,
  productIds: readonly number[],
  names: readonly string[],
): Promise<ProductVexRow[]> {
  const out: ProductVexRow[] = [];
  for (let i = 0; i < productIds.length; i += CHUNK) {
    const rows = await q
      .selectFrom('vex_statements as v')
      .innerJoin('teams as t', 't.id', 'v.team_id')
      .select([
        'v.product_id',
        'v.vulnerability',
        'v.status',
        'v.approved_by',
        'v.confidential',
        't.name as team',
        'v.body',
        'v.created_at',
      ])
      .where('v.product_id', 'in', productIds.slice(i, i + CHUNK))
      .where('v.vulnerability', 'in', names.length === 0 ? [''] : [...names])
      .execute();
    out.push(...rows.map((r) => ({ ...r, product_id: Number(r.product_id) })));
  }
  return out;
}
