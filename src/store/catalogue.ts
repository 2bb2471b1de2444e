import type { Selectable } from 'kysely';
import type { ProductRecord, TeamRecord } from '../inventory/index.js';
import type { Q } from './db.js';
import type { Database } from './schema.js';

// The catalogue: teams → products → releases → artifacts → SBOM versions. The component index
// behind searches is component-index.ts; the one write of an SBOM is inventory-store.ts.

export type TeamRow = TeamRecord;

export async function findTeam(q: Q, name: string): Promise<TeamRow | undefined> {
  return q.selectFrom('teams').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function teamIds(q: Q, names: readonly string[]): Promise<number[]> {
  if (names.length === 0) return [];
  const rows = await q.selectFrom('teams').select('id').where('name', 'in', names).execute();
  return rows.map((r) => r.id);
}

/** Create the team unless it exists; returns its id. */
export async function ensureTeam(q: Q, name: string, now: string): Promise<number> {
  const found = await findTeam(q, name);
  if (found) return found.id;
  const row = await q
    .insertInto('teams')
    .values({ name, gate_policy: null, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function listTeams(q: Q, only?: readonly string[]): Promise<TeamRow[]> {
  let s = q.selectFrom('teams').selectAll().orderBy('name');
  if (only) {
    if (only.length === 0) return [];
    s = s.where('name', 'in', only);
  }
  return s.execute();
}

export type ProductRow = ProductRecord;

export async function findProduct(q: Q, name: string): Promise<ProductRow | undefined> {
  return q
    .selectFrom('products as p')
    .innerJoin('teams as t', 't.id', 'p.team_id')
    .select(['p.id', 'p.team_id', 'p.name', 'p.created_at', 'p.supplier', 't.name as team'])
    .where('p.name', '=', name)
    .executeTakeFirst();
}

export async function findProductById(q: Q, id: number): Promise<ProductRow | undefined> {
  return q
    .selectFrom('products as p')
    .innerJoin('teams as t', 't.id', 'p.team_id')
    .select(['p.id', 'p.team_id', 'p.name', 'p.created_at', 'p.supplier', 't.name as team'])
    .where('p.id', '=', id)
    .executeTakeFirst();
}

export async function insertProduct(
  q: Q,
  teamId: number,
  name: string,
  now: string,
): Promise<number> {
  const row = await q
    .insertInto('products')
    .values({ team_id: teamId, name, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function listProducts(q: Q, teamIdsIn?: readonly number[]): Promise<ProductRow[]> {
  let s = q
    .selectFrom('products as p')
    .innerJoin('teams as t', 't.id', 'p.team_id')
    .select(['p.id', 'p.team_id', 'p.name', 'p.created_at', 'p.supplier', 't.name as team'])
    .orderBy('p.name');
  if (teamIdsIn) {
    if (teamIdsIn.length === 0) return [];
    s = s.where('p.team_id', 'in', teamIdsIn);
  }
  return s.execute();
}

export interface ReleaseRow {
  id: number;
  product_id: number;
  version: string;
  tag: string | null;
  commit_sha: string | null;
  created_at: string;
  rebuilt_at: string | null;
  deployed: number;
  ticket: string | null;
  product: string;
  team_id: number;
  team: string;
}

function releaseSelect(q: Q) {
  return q
    .selectFrom('releases as r')
    .innerJoin('products as p', 'p.id', 'r.product_id')
    .innerJoin('teams as t', 't.id', 'p.team_id')
    .select([
      'r.id',
      'r.product_id',
      'r.version',
      'r.tag',
      'r.commit_sha',
      'r.created_at',
      'r.rebuilt_at',
      'r.deployed',
      'r.ticket',
      'p.name as product',
      'p.team_id',
      't.name as team',
    ]);
}

export async function findRelease(
  q: Q,
  productId: number,
  version: string,
): Promise<ReleaseRow | undefined> {
  return releaseSelect(q)
    .where('r.product_id', '=', productId)
    .where('r.version', '=', version)
    .executeTakeFirst();
}

export async function findReleaseById(q: Q, id: number): Promise<ReleaseRow | undefined> {
  return releaseSelect(q).where('r.id', '=', id).executeTakeFirst();
}

export async function listReleases(q: Q, productId: number): Promise<ReleaseRow[]> {
  return releaseSelect(q)
    .where('r.product_id', '=', productId)
    .orderBy('r.created_at', 'desc')
    .orderBy('r.id', 'desc')
    .execute();
}

export async function insertRelease(
  q: Q,
  r: {
    productId: number;
    version: string;
    tag?: string;
    commit?: string;
    ticket?: string;
    now: string;
  },
): Promise<number> {
  const row = await q
    .insertInto('releases')
    .values({
      product_id: r.productId,
      version: r.version,
      tag: r.tag ?? null,
      commit_sha: r.commit ?? null,
      ticket: r.ticket ?? null,
      created_at: r.now,
      rebuilt_at: null,
      deployed: 0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateRelease(
  q: Q,
  id: number,
  patch: { deployed?: boolean; rebuiltAt?: string; tag?: string; commit?: string; ticket?: string },
): Promise<void> {
  const set: Partial<{
    deployed: number;
    rebuilt_at: string;
    tag: string;
    commit_sha: string;
    ticket: string;
  }> = {};
  if (patch.deployed !== undefined) set.deployed = patch.deployed ? 1 : 0;
  if (patch.rebuiltAt !== undefined) set.rebuilt_at = patch.rebuiltAt;
  if (patch.tag !== undefined) set.tag = patch.tag;
  if (patch.commit !== undefined) set.commit_sha = patch.commit;
  if (patch.ticket !== undefined) set.ticket = patch.ticket;
  if (Object.keys(set).length === 0) return;
  await q.updateTable('releases').set(set).where('id', '=', id).execute();
}

export interface ArtifactRow {
  id: number;
  release_id: number;
  digest: string;
  name: string | null;
  created_at: string;
}

export async function findArtifact(
  q: Q,
  releaseId: number,
  digest: string,
): Promise<ArtifactRow | undefined> {
  return q
    .selectFrom('artifacts')
    .selectAll()
    .where('release_id', '=', releaseId)
    .where('digest', '=', digest)
    .executeTakeFirst();
}

export async function insertArtifact(
  q: Q,
  a: { releaseId: number; digest: string; name: string | null; now: string },
): Promise<number> {
  const row = await q
    .insertInto('artifacts')
    .values({ release_id: a.releaseId, digest: a.digest, name: a.name, created_at: a.now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function listArtifacts(q: Q, releaseId: number): Promise<ArtifactRow[]> {
  return q
    .selectFrom('artifacts')
    .selectAll()
    .where('release_id', '=', releaseId)
    .orderBy('id')
    .execute();
}

export type SbomRow = Selectable<Database['sboms']>;

export async function findSbom(q: Q, id: number): Promise<SbomRow | undefined> {
  return q.selectFrom('sboms').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findSbomOfArtifact(
  q: Q,
  artifactId: number,
  digest: string,
): Promise<SbomRow | undefined> {
  return q
    .selectFrom('sboms')
    .selectAll()
    .where('artifact_id', '=', artifactId)
    .where('digest', '=', digest)
    .executeTakeFirst();
}

/** The artifact's current SBOM in `format` (cyclonedx, spdx): at most one per format. */
export async function currentSbomOfArtifact(
  q: Q,
  artifactId: number,
  format: string,
): Promise<SbomRow | undefined> {
  return q
    .selectFrom('sboms')
    .selectAll()
    .where('artifact_id', '=', artifactId)
    .where('format', '=', format)
    .where('current', '=', 1)
    .executeTakeFirst();
}

/** The highest version number of the artifact's SBOMs, 0 when it has none. */
export async function lastSbomVersionOfArtifact(q: Q, artifactId: number): Promise<number> {
  const r = await q
    .selectFrom('sboms')
    .select((eb) => eb.fn.max('version_no').as('n'))
    .where('artifact_id', '=', artifactId)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** The current SBOMs of a release: one per artifact and format. */
export async function currentSbomsOfRelease(q: Q, releaseId: number): Promise<SbomRow[]> {
  return q
    .selectFrom('sboms')
    .selectAll()
    .where('release_id', '=', releaseId)
    .where('current', '=', 1)
    .orderBy('id')
    .execute();
}

export async function sbomsOfRelease(q: Q, releaseId: number): Promise<SbomRow[]> {
  return q
    .selectFrom('sboms')
    .selectAll()
    .where('release_id', '=', releaseId)
    .orderBy('id')
    .execute();
}

export async function insertSbom(q: Q, row: Omit<SbomRow, 'id'>): Promise<number> {
  const r = await q.insertInto('sboms').values(row).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

/** Whether any SBOM row points at this blob. */
export async function sbomDigestStored(q: Q, digest: string): Promise<boolean> {
  const r = await q
    .selectFrom('sboms')
    .select('id')
    .where('digest', '=', digest)
    .limit(1)
    .executeTakeFirst();
  return r !== undefined;
}

/** Mark an SBOM as superseded; the document and its index rows stay (history=true finds them). */
export async function supersede(q: Q, sbomId: number): Promise<void> {
  await q.updateTable('sboms').set({ current: 0 }).where('id', '=', sbomId).execute();
}
