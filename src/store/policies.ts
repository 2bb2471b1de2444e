import type { Selectable } from 'kysely';
import type { Q } from './db.js';
import type { Database } from './schema.js';

export type TeamPolicyRow = Selectable<Database['team_policies']>;

/** The newest version of a team's policy `name`. */
export async function latestTeamPolicy(
  q: Q,
  teamId: number,
  name: string,
): Promise<TeamPolicyRow | undefined> {
  return q
    .selectFrom('team_policies')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('name', '=', name)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function teamPolicyVersion(
  q: Q,
  teamId: number,
  name: string,
  version: number,
): Promise<TeamPolicyRow | undefined> {
  return q
    .selectFrom('team_policies')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('name', '=', name)
    .where('version', '=', version)
    .executeTakeFirst();
}

/** Every policy of a team at its newest version, by name. */
export async function latestTeamPolicies(q: Q, teamId: number): Promise<TeamPolicyRow[]> {
  return q
    .selectFrom('team_policies as p')
    .selectAll('p')
    .where('p.team_id', '=', teamId)
    .where((eb) =>
      eb(
        'p.version',
        '=',
        eb
          .selectFrom('team_policies as n')
          .select((e) => e.fn.max('n.version').as('v'))
          .whereRef('n.team_id', '=', 'p.team_id')
          .whereRef('n.name', '=', 'p.name'),
      ),
    )
    .orderBy('p.name')
    .execute();
}

/** The versions of one policy, oldest first, without their sources. */
export async function teamPolicyVersions(
  q: Q,
  teamId: number,
  name: string,
): Promise<Omit<TeamPolicyRow, 'source'>[]> {
  return q
    .selectFrom('team_policies')
    .select(['id', 'team_id', 'name', 'version', 'digest', 'created_at', 'created_by'])
    .where('team_id', '=', teamId)
    .where('name', '=', name)
    .orderBy('version')
    .execute();
}

/** Append a version (the unique key on team, name and version refuses a concurrent duplicate). */
export async function insertTeamPolicy(q: Q, row: Omit<TeamPolicyRow, 'id'>): Promise<void> {
  await q.insertInto('team_policies').values(row).execute();
}

/** Where an artifact digest is filed: newest first, only in `teamIds` when given. */
export async function artifactPlaces(
  q: Q,
  digest: string,
  teamIds: readonly number[] | undefined,
): Promise<
  {
    artifact_id: number;
    name: string | null;
    release_id: number;
    release: string;
    commit_sha: string | null;
    ticket: string | null;
    supplier: number;
    product_id: number;
    product: string;
    team: string;
  }[]
> {
  if (teamIds !== undefined && teamIds.length === 0) return [];
  let query = q
    .selectFrom('artifacts as a')
    .innerJoin('releases as r', 'r.id', 'a.release_id')
    .innerJoin('products as p', 'p.id', 'r.product_id')
    .innerJoin('teams as t', 't.id', 'p.team_id')
    .select([
      'a.id as artifact_id',
      'a.name as name',
      'r.id as release_id',
      'r.version as release',
      'r.commit_sha as commit_sha',
      'r.ticket as ticket',
      'p.supplier as supplier',
      'p.id as product_id',
      'p.name as product',
      't.name as team',
    ])
    .where('a.digest', '=', digest);
  if (teamIds !== undefined) query = query.where('t.id', 'in', teamIds);
  return query.orderBy('a.id', 'desc').limit(20).execute();
}

/** Distinct licence names of an SBOM's components, and how many components have none or NOASSERTION. */
export async function licensesOfSbom(
  q: Q,
  sbomId: number,
  max: number,
): Promise<{ names: string[]; noAssertion: number }> {
  const names = await q
    .selectFrom('components as c')
    .innerJoin('component_licenses as cl', 'cl.component_id', 'c.id')
    .innerJoin('licenses as l', 'l.id', 'cl.license_id')
    .select('l.name')
    .distinct()
    .where('c.sbom_id', '=', sbomId)
    .orderBy('l.name')
    .limit(max)
    .execute();
  const none = await q
    .selectFrom('components')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('sbom_id', '=', sbomId)
    .where((eb) => eb.or([eb('licenses', 'is', null), eb('licenses', 'like', '%NOASSERTION%')]))
    .executeTakeFirstOrThrow();
  return { names: names.map((r) => r.name), noAssertion: Number(none.n) };
}

/** The artifact's open findings (not closed), with what a summary needs. */
export async function openFindingsOfArtifact(
  q: Q,
  artifactId: number,
): Promise<
  { advisory_id: string; severity_rating: string; fixed: string | null; aliases: string }[]
> {
  return q
    .selectFrom('vuln_findings as f')
    .innerJoin('advisories as a', 'a.id', 'f.advisory_id')
    .select(['f.advisory_id', 'f.severity_rating', 'f.fixed', 'a.aliases'])
    .where('f.artifact_id', '=', artifactId)
    .where('f.closed_at', 'is', null)
    .limit(100_000)
    .execute();
}

/** A product's VEX statements: the vulnerability each is about and its status. */
export async function vexStatusesOfProduct(
  q: Q,
  productId: number,
): Promise<{ vulnerability: string; status: string }[]> {
  return q
    .selectFrom('vex_statements')
    .select(['vulnerability', 'status'])
    .where('product_id', '=', productId)
    .limit(100_000)
    .execute();
}
