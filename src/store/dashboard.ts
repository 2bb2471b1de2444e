import type { Q } from './db.js';
import type { DeployedRelease } from './portfolio.js';
import type { ReleaseAttestationRow } from './release-evidence.js';

// The dashboard's reads (app/dashboard/). Listings take one page of releases by an indexed key
// (releases.id, or products.name then releases(product_id, id) from migration 0021), and the
// page's facts are then read for those releases only, so a page costs the same at 10,000
// releases as at 100. Aggregates (overview, scorecards) group in the database.

/** An empty id list must still filter (to nothing), not be dropped. */
const ids = (xs: readonly number[]): number[] => (xs.length === 0 ? [-1] : [...xs]);

export type ReleaseSort = 'newest' | 'oldest' | 'product';

export interface ReleaseListFilter {
  /** undefined: every team. */
  teamIds?: readonly number[] | undefined;
  productIds?: readonly number[] | undefined;
  deployed?: boolean | undefined;
  sort: ReleaseSort;
  /** The last row of the previous page. */
  after?: { id: number; product: string } | undefined;
  limit: number;
}

export interface ReleaseListRow {
  id: number;
  product_id: number;
  product: string;
  version: string;
  team_id: number;
  team: string;
  created_at: string;
  rebuilt_at: string | null;
  deployed: number;
  ticket: string | null;
}

/** One page of releases (plus one row, to tell whether another page follows). */
export async function releasePage(q: Q, f: ReleaseListFilter): Promise<ReleaseListRow[]> {
  return (await releasePageQuery(q, f).execute()).map((r) => ({
    ...r,
    id: Number(r.id),
    product_id: Number(r.product_id),
    team_id: Number(r.team_id),
  }));
}

/** The listing's query, unexecuted (its plan is checked in test/dashboard/query-plans.test.ts). */
export function releasePageQuery(q: Q, f: ReleaseListFilter) {
  let s = q
    .selectFrom('releases as r')
    .innerJoin('products as p', 'p.id', 'r.product_id')
    .innerJoin('teams as t', 't.id', 'p.team_id')
    .select([
      'r.id',
      'r.product_id',
      'p.name as product',
      'r.version',
      'p.team_id',
      't.name as team',
      'r.created_at',
      'r.rebuilt_at',
      'r.deployed',
      'r.ticket',
    ]);
  if (f.teamIds !== undefined) s = s.where('p.team_id', 'in', ids(f.teamIds));
  if (f.productIds !== undefined) s = s.where('r.product_id', 'in', ids(f.productIds));
  if (f.deployed !== undefined) s = s.where('r.deployed', '=', f.deployed ? 1 : 0);
  const a = f.after;
  if (f.sort === 'newest') {
    if (a) s = s.where('r.id', '<', a.id);
    s = s.orderBy('r.id', 'desc');
  } else if (f.sort === 'oldest') {
    if (a) s = s.where('r.id', '>', a.id);
    s = s.orderBy('r.id', 'asc');
  } else {
    if (a)
      s = s.where((eb) =>
        eb.or([
          eb('p.name', '>', a.product),
          eb.and([eb('p.name', '=', a.product), eb('r.id', '<', a.id)]),
        ]),
      );
    s = s.orderBy('p.name', 'asc').orderBy('r.id', 'desc');
  }
  return s.limit(f.limit + 1);
}

/** Products whose name contains `text` (case-insensitive), within the teams. */
export async function productIdsMatching(
  q: Q,
  text: string,
  teamIds: readonly number[] | undefined,
): Promise<number[]> {
  const like = containsPattern(text);
  let s = q
    .selectFrom('products')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['name']), 'like', eb.val(like)));
  if (teamIds !== undefined) s = s.where('team_id', 'in', ids(teamIds));
  return (await s.limit(5000).execute()).map((r) => Number(r.id));
}

export interface PageArtifactRow {
  id: number;
  release_id: number;
  digest: string;
  name: string | null;
}

export interface PageSbomRow {
  id: number;
  release_id: number;
  artifact_id: number;
  digest: string;
  version_no: number;
  quality_score: number;
  component_count: number;
  signed: number;
  /** The document's own time, else when it was pushed. */
  at: string;
}

/** The artifacts of some releases (artifacts_release_digest index). */
export async function artifactsOfReleases(
  q: Q,
  releaseIds: readonly number[],
): Promise<PageArtifactRow[]> {
  const rows = await q
    .selectFrom('artifacts')
    .select(['id', 'release_id', 'digest', 'name'])
    .where('release_id', 'in', ids(releaseIds))
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), release_id: Number(r.release_id) }));
}

/** The current SBOMs of some releases (sboms_release index). */
export async function currentSbomsOfReleases(
  q: Q,
  releaseIds: readonly number[],
): Promise<PageSbomRow[]> {
  const rows = await q
    .selectFrom('sboms')
    .select((eb) => [
      'id',
      'release_id',
      'artifact_id',
      'digest',
      'version_no',
      'quality_score',
      'component_count',
      'signed',
      eb.fn.coalesce('document_created', 'created_at').as('at'),
    ])
    .where('release_id', 'in', ids(releaseIds))
    .where('current', '=', 1)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    ...r,
    id: Number(r.id),
    release_id: Number(r.release_id),
    artifact_id: Number(r.artifact_id),
    at: r.at as string,
  }));
}

/** Open findings per team and severity (vuln_findings_team index). */
/** A deployed release with its newest SBOM time: freshness is judged on these (store/portfolio.ts). */
export type ReleaseFreshnessRow = Pick<
  DeployedRelease,
  'team_id' | 'created_at' | 'rebuilt_at' | 'newest'
>;

/** Releases per team, and how many are deployed. */
export async function releasesByTeam(
  q: Q,
  teamIds: readonly number[] | undefined,
): Promise<{ team_id: number; n: number; deployed: number }[]> {
  let s = q
    .selectFrom('releases as r')
    .innerJoin('products as p', 'p.id', 'r.product_id')
    .select((eb) => [
      'p.team_id',
      eb.fn.countAll<number>().as('n'),
      eb.fn.sum<number>('r.deployed').as('deployed'),
    ])
    .groupBy('p.team_id');
  if (teamIds !== undefined) s = s.where('p.team_id', 'in', ids(teamIds));
  return (await s.execute()).map((r) => ({
    team_id: Number(r.team_id),
    n: Number(r.n),
    deployed: Number(r.deployed ?? 0),
  }));
}

/** Releases with at least one attestation of the given predicate types, per team. */
export async function attestedReleasesByTeam(
  q: Q,
  predicateTypes: readonly string[],
  teamIds: readonly number[] | undefined,
): Promise<{ team_id: number; n: number }[]> {
  let s = q
    .selectFrom('release_attestations as a')
    .innerJoin('releases as r', 'r.id', 'a.release_id')
    .innerJoin('products as p', 'p.id', 'r.product_id')
    .select((eb) => ['p.team_id', eb.fn.count<number>('a.release_id').distinct().as('n')])
    .where('a.predicate_type', 'in', [...predicateTypes])
    .groupBy('p.team_id');
  if (teamIds !== undefined) s = s.where('p.team_id', 'in', ids(teamIds));
  return (await s.execute()).map((r) => ({ team_id: Number(r.team_id), n: Number(r.n) }));
}

export interface TeamSettingsRow {
  id: number;
  name: string;
  gate_policy: string | null;
  slsa_settings: string | null;
  sla: string | null;
}

/** The teams with their gate (maxAgeDays) and SLA overrides: what freshness is judged against. */
export async function teamSettings(
  q: Q,
  teamIds: readonly number[] | undefined,
): Promise<TeamSettingsRow[]> {
  let s = q
    .selectFrom('teams as t')
    .leftJoin('team_slas as l', 'l.team_id', 't.id')
    .select(['t.id', 't.name', 't.gate_policy', 't.slsa_settings', 'l.body as sla'])
    .orderBy('t.name');
  if (teamIds !== undefined) s = s.where('t.id', 'in', ids(teamIds));
  return (await s.execute()).map((r) => ({ ...r, id: Number(r.id) }));
}

/**
 * VEX statements not yet approved and not settled by evidence: those awaiting a person's decision
 * or still under investigation (vex/'s needsApproval then decides which wait for approval).
 */
/**
 * Components by open high and critical findings × deployed releases that ship them, the largest
 * first (vuln_findings_team index for the scope; the open findings are the set grouped).
 */
/** The advisories with open high or critical findings on each purl. */
/** The attestations of some releases (release_attestations_release index). */
export async function attestationsOfReleases(
  q: Q,
  releaseIds: readonly number[],
): Promise<ReleaseAttestationRow[]> {
  return q
    .selectFrom('release_attestations')
    .selectAll()
    .where('release_id', 'in', ids(releaseIds))
    .orderBy('id')
    .execute();
}

/** Admission decisions since a time (admission_decisions_at index). */
export async function admissionCountsSince(
  q: Q,
  since: string,
): Promise<{ allowed: number; warned: number; denied: number; degraded: number }> {
  const r = await q
    .selectFrom('admission_decisions')
    .select((eb) => [
      eb.fn.sum<number>('allowed').as('allowed'),
      eb.fn.countAll<number>().as('n'),
      eb.fn.sum<number>('degraded').as('degraded'),
      eb.fn.sum<number>(eb.case().when('warnings', '!=', '[]').then(1).else(0).end()).as('warned'),
    ])
    .where('at', '>=', since)
    .executeTakeFirstOrThrow();
  const allowed = Number(r.allowed ?? 0);
  return {
    allowed,
    warned: Number(r.warned ?? 0),
    denied: Number(r.n) - allowed,
    degraded: Number(r.degraded ?? 0),
  };
}

/** Distinct releases with provenance, within the teams (for the overview's coverage). */
export async function attestedReleaseCount(
  q: Q,
  predicateTypes: readonly string[],
  teamIds: readonly number[] | undefined,
): Promise<number> {
  return (await attestedReleasesByTeam(q, predicateTypes, teamIds)).reduce((n, r) => n + r.n, 0);
}

/** The newest checkpoint's time. */
export async function newestCheckpointAt(q: Q): Promise<string | null> {
  const r = await q
    .selectFrom('tlog_checkpoints')
    .select('created_at')
    .orderBy('size', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r?.created_at ?? null;
}

/** Open findings per advisory and product: releases affected, deployed ones, first opened. */
/** The VEX statements of some products naming some vulnerabilities (vex_statements_product). */
/**
 * A LIKE pattern for "contains", lower-cased. SQLite's LIKE has no escape character unless told
 * and PostgreSQL's is the backslash, so rather than escape, `%` and `\` are dropped from what
 * was typed; `_` stays a one-character wildcard, which only widens a search a little.
 */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[%\\]/g, '')}%`;
}
