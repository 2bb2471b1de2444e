import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { IndexedComponent } from '../inventory/index-rows.js';
import type { Database } from './schema.js';

/** Either the database or a transaction on it. */
export type Q = Kysely<Database> | Transaction<Database>;

export interface TeamRow {
  id: number;
  name: string;
  gate_policy: string | null;
  created_at: string;
}

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

export interface ProductRow {
  id: number;
  team_id: number;
  name: string;
  created_at: string;
  team: string;
}

export async function findProduct(q: Q, name: string): Promise<ProductRow | undefined> {
  return q
    .selectFrom('products as p')
    .innerJoin('teams as t', 't.id', 'p.team_id')
    .select(['p.id', 'p.team_id', 'p.name', 'p.created_at', 't.name as team'])
    .where('p.name', '=', name)
    .executeTakeFirst();
}

export async function findProductById(q: Q, id: number): Promise<ProductRow | undefined> {
  return q
    .selectFrom('products as p')
    .innerJoin('teams as t', 't.id', 'p.team_id')
    .select(['p.id', 'p.team_id', 'p.name', 'p.created_at', 't.name as team'])
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
    .select(['p.id', 'p.team_id', 'p.name', 'p.created_at', 't.name as team'])
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
  r: { productId: number; version: string; tag?: string; commit?: string; now: string },
): Promise<number> {
  const row = await q
    .insertInto('releases')
    .values({
      product_id: r.productId,
      version: r.version,
      tag: r.tag ?? null,
      commit_sha: r.commit ?? null,
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
  patch: { deployed?: boolean; rebuiltAt?: string; tag?: string; commit?: string },
): Promise<void> {
  const set: Partial<{ deployed: number; rebuilt_at: string; tag: string; commit_sha: string }> =
    {};
  if (patch.deployed !== undefined) set.deployed = patch.deployed ? 1 : 0;
  if (patch.rebuiltAt !== undefined) set.rebuilt_at = patch.rebuiltAt;
  if (patch.tag !== undefined) set.tag = patch.tag;
  if (patch.commit !== undefined) set.commit_sha = patch.commit;
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

export async function currentSbomOfArtifact(
  q: Q,
  artifactId: number,
): Promise<SbomRow | undefined> {
  return q
    .selectFrom('sboms')
    .selectAll()
    .where('artifact_id', '=', artifactId)
    .where('current', '=', 1)
    .executeTakeFirst();
}

/** The current SBOMs of a release, one per artifact. */
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

// SQLite allows 32,766 bound parameters per statement, PostgreSQL 65,535; 7 columns × 500 rows
// stays well under both while keeping the number of round trips low.
const CHUNK = 500;

/** The dictionary key of a component: its package key, or `~ecosystem/name` without a purl. */
export function packageKeyOf(c: IndexedComponent): string {
  return c.package ?? `~${c.ecosystem ?? ''}/${c.name}`;
}

/**
 * Insert the index rows of one SBOM: components (pointing into the package dictionary), their
 * hashes and their licences.
 */
export async function insertComponents(
  q: Q,
  sbomId: number,
  rows: readonly IndexedComponent[],
): Promise<void> {
  const packages = await dictionaryIds(
    q,
    'packages',
    'package',
    new Map(rows.map((c) => [packageKeyOf(c), { name: c.name, ecosystem: c.ecosystem }])),
  );
  const licenseNames = new Map<string, Record<string, never>>();
  for (const c of rows) for (const l of c.licenses) licenseNames.set(l, {});
  const licenses = await dictionaryIds(q, 'licenses', 'name', licenseNames);
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const values = chunk.map((c) => ({
      sbom_id: sbomId,
      package_id: packages.get(packageKeyOf(c)) as number,
      version: c.version,
      purl: c.purl,
      scope: c.scope,
      direct: c.direct ? 1 : 0,
      licenses: c.licenseText,
    }));
    const ids = await insertReturningIds(q, values);
    const hashes: Insertable<Database['component_hashes']>[] = [];
    const links: Insertable<Database['component_licenses']>[] = [];
    chunk.forEach((c, j) => {
      const componentId = ids[j] as number;
      const seen = new Set<string>();
      for (const h of c.hashes) {
        if (!/^[0-9a-f]{13,}$/.test(h.value) || seen.has(h.alg)) continue;
        seen.add(h.alg);
        hashes.push({
          key: hashKey(h.value),
          component_id: componentId,
          alg: h.alg,
          value: h.value,
        });
      }
      for (const l of c.licenses) {
        links.push({ license_id: licenses.get(l) as number, component_id: componentId });
      }
    });
    for (let k = 0; k < hashes.length; k += CHUNK) {
      await q
        .insertInto('component_hashes')
        .values(hashes.slice(k, k + CHUNK))
        .execute();
    }
    for (let k = 0; k < links.length; k += CHUNK * 2) {
      await q
        .insertInto('component_licenses')
        .values(links.slice(k, k + CHUNK * 2))
        .execute();
    }
  }
}

/** The index key of a hex digest: its first 52 bits, exact in a JavaScript number and a BIGINT. */
export function hashKey(hex: string): number {
  return Number.parseInt(hex.slice(0, 13), 16);
}

/**
 * Ids of dictionary entries (packages or licences), inserting the missing ones. Runs inside the
 * ingest transaction, so a failed ingest leaves no new entries behind.
 */
async function dictionaryIds<E extends Record<string, unknown>>(
  q: Q,
  table: 'packages' | 'licenses',
  column: 'package' | 'name',
  entries: ReadonlyMap<string, E>,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const keys = [...entries.keys()];
  // biome-ignore lint/suspicious/noExplicitAny: one code path for two dictionary tables
  const db = q as Kysely<any>;
  const lookup = async (wanted: string[]) => {
    for (let i = 0; i < wanted.length; i += CHUNK) {
      const rows = await db
        .selectFrom(table)
        .select(['id', `${column} as k`])
        .where(column, 'in', wanted.slice(i, i + CHUNK))
        .execute();
      for (const r of rows as { id: number; k: string }[]) ids.set(r.k, r.id);
    }
  };
  await lookup(keys);
  const missing = keys.filter((k) => !ids.has(k));
  if (missing.length > 0) {
    for (let i = 0; i < missing.length; i += CHUNK) {
      const values = missing.slice(i, i + CHUNK).map((k) => ({ [column]: k, ...entries.get(k) }));
      await db
        .insertInto(table)
        .values(values)
        .onConflict((oc) => oc.column(column).doNothing())
        .execute();
    }
    await lookup(missing);
  }
  return ids;
}

async function insertReturningIds(
  q: Q,
  values: Insertable<Database['components']>[],
): Promise<number[]> {
  // Neither database promises RETURNING rows in VALUES order, but both hand out the ids of one
  // statement's rows in increasing order (SQLite's rowid, PostgreSQL's sequence), so sorting maps
  // them back to the rows.
  const rows = await q.insertInto('components').values(values).returning('id').execute();
  return rows.map((r) => r.id).sort((a, b) => a - b);
}
