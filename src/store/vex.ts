import type { Insertable, Selectable } from 'kysely';
import type { Q } from './db.js';
import type { Database } from './schema.js';

/** Rows per statement of a bulk read or write (parameters stay within both drivers' limits). */
const CHUNK = 500;

export type VexStatementRow = Selectable<Database['vex_statements']> & {
  team: string;
  product: string;
};
export type VexChangeRow = Selectable<Database['vex_changes']>;
export type VexVersionRow = Selectable<Database['vex_statement_versions']>;
export type VexDocumentRow = Selectable<Database['vex_documents']>;
export type VexPublicationRow = Selectable<Database['vex_publications']>;

function statementSelect(q: Q) {
  return q
    .selectFrom('vex_statements as v')
    .innerJoin('products as p', 'p.id', 'v.product_id')
    .innerJoin('teams as t', 't.id', 'v.team_id')
    .selectAll('v')
    .select(['p.name as product', 't.name as team']);
}

export async function findVexStatement(q: Q, id: number): Promise<VexStatementRow | undefined> {
  return statementSelect(q).where('v.id', '=', id).executeTakeFirst();
}

/** A product's statements, oldest first; `confidential: false` leaves the confidential ones out. */
export async function vexStatementsOfProduct(
  q: Q,
  productId: number,
  o: { confidential: boolean },
): Promise<VexStatementRow[]> {
  let s = statementSelect(q).where('v.product_id', '=', productId);
  if (!o.confidential) s = s.where('v.confidential', '=', 0);
  return s.orderBy('v.id').execute();
}

/** Which of these products have a statement (any state, confidential included) on `vulnerability`. */
export async function productsWithVexStatement(
  q: Q,
  productIds: readonly number[],
  vulnerability: string,
): Promise<Set<number>> {
  const out = new Set<number>();
  for (let i = 0; i < productIds.length; i += CHUNK) {
    const rows = await q
      .selectFrom('vex_statements')
      .select('product_id')
      .where('vulnerability', '=', vulnerability)
      .where('product_id', 'in', productIds.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) out.add(r.product_id);
  }
  return out;
}

/** Products by name, with their team's name (the ones that exist). */
export async function productsByName(
  q: Q,
  names: readonly string[],
): Promise<Map<string, { id: number; team_id: number; team: string }>> {
  const out = new Map<string, { id: number; team_id: number; team: string }>();
  for (let i = 0; i < names.length; i += CHUNK) {
    const rows = await q
      .selectFrom('products as p')
      .innerJoin('teams as t', 't.id', 'p.team_id')
      .select(['p.id', 'p.team_id', 'p.name', 't.name as team'])
      .where('p.name', 'in', names.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) out.set(r.name, { id: r.id, team_id: r.team_id, team: r.team });
  }
  return out;
}

/**
 * Insert statements of as many products (one each: the products must differ) in one statement
 * per 500; returns each new statement's id by product id.
 */
export async function insertVexStatementsOfProducts(
  q: Q,
  rows: readonly Omit<Insertable<Database['vex_statements']>, 'id'>[],
): Promise<Map<number, number>> {
  const ids = new Map<number, number>();
  if (new Set(rows.map((r) => r.product_id)).size !== rows.length)
    throw new TypeError('insertVexStatementsOfProducts: one statement per product');
  for (let i = 0; i < rows.length; i += CHUNK) {
    const out = await q
      .insertInto('vex_statements')
      .values(rows.slice(i, i + CHUNK))
      .returning(['id', 'product_id'])
      .execute();
    for (const r of out) ids.set(r.product_id, r.id);
  }
  return ids;
}

/** The first version rows of new statements. */
export async function insertVexVersions(
  q: Q,
  rows: readonly Omit<Insertable<Database['vex_statement_versions']>, 'id'>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await q
      .insertInto('vex_statement_versions')
      .values(rows.slice(i, i + CHUNK))
      .execute();
  }
}

export async function insertVexStatement(
  q: Q,
  row: Omit<Insertable<Database['vex_statements']>, 'id'>,
): Promise<number> {
  const r = await q
    .insertInto('vex_statements')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/**
 * Write the statement's current version, only if it is still at `expectedVersion` and
 * `expectedUpdatedAt` (optimistic: a concurrent change makes this return false).
 */
export async function updateVexStatement(
  q: Q,
  id: number,
  expected: { version: number; updatedAt: string },
  set: {
    status: string;
    version: number;
    confidential: number;
    drafted_by: string;
    approved_by: string | null;
    disclosed_at: string | null;
    body: string;
    updated_at: string;
  },
): Promise<boolean> {
  const r = await q
    .updateTable('vex_statements')
    .set(set)
    .where('id', '=', id)
    .where('version', '=', expected.version)
    .where('updated_at', '=', expected.updatedAt)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Record a version: a new row, or the same version's row rewritten (an edit in place). */
export async function putVexVersion(
  q: Q,
  statementId: number,
  version: number,
  body: string,
  at: string,
): Promise<void> {
  const r = await q
    .updateTable('vex_statement_versions')
    .set({ body })
    .where('statement_id', '=', statementId)
    .where('version', '=', version)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) {
    await q
      .insertInto('vex_statement_versions')
      .values({ statement_id: statementId, version, body, created_at: at })
      .execute();
  }
}

export async function vexVersions(q: Q, statementId: number): Promise<VexVersionRow[]> {
  return q
    .selectFrom('vex_statement_versions')
    .selectAll()
    .where('statement_id', '=', statementId)
    .orderBy('version')
    .execute();
}

export async function insertVexChanges(
  q: Q,
  rows: readonly Omit<Insertable<Database['vex_changes']>, 'id'>[],
): Promise<void> {
  // Several statements' trails at once may be more than one statement's parameters can hold.
  for (let i = 0; i < rows.length; i += CHUNK) {
    await q
      .insertInto('vex_changes')
      .values(rows.slice(i, i + CHUNK))
      .execute();
  }
}

export async function vexChanges(q: Q, statementId: number): Promise<VexChangeRow[]> {
  return q
    .selectFrom('vex_changes')
    .selectAll()
    .where('statement_id', '=', statementId)
    .orderBy('id')
    .execute();
}

export async function insertVexDocument(
  q: Q,
  row: Omit<Insertable<Database['vex_documents']>, 'id'>,
): Promise<number> {
  const r = await q
    .insertInto('vex_documents')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/** The newest publication of a product in a format. */
export async function latestVexDocument(
  q: Q,
  productId: number,
  format: string,
): Promise<VexDocumentRow | undefined> {
  return q
    .selectFrom('vex_documents')
    .selectAll()
    .where('product_id', '=', productId)
    .where('format', '=', format)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function findVexDocument(q: Q, id: number): Promise<VexDocumentRow | undefined> {
  return q.selectFrom('vex_documents').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertVexPublication(
  q: Q,
  row: Omit<Insertable<Database['vex_publications']>, 'id'>,
): Promise<number> {
  const r = await q
    .insertInto('vex_publications')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function findVexPublication(q: Q, id: number): Promise<VexPublicationRow | undefined> {
  return q.selectFrom('vex_publications').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Mark a pending publication published, only if it is still pending: false when another
 * completion got there first (the caller's transaction then writes nothing).
 */
export async function markVexPublicationPublished(
  q: Q,
  id: number,
  documentId: number,
): Promise<boolean> {
  const r = await q
    .updateTable('vex_publications')
    .set({ state: 'published', vex_document_id: documentId })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Forget pending publications that expired before `before`: nobody can complete them. */
export async function deleteExpiredVexPublications(q: Q, before: string): Promise<void> {
  await q
    .deleteFrom('vex_publications')
    .where('state', '=', 'pending')
    .where('expires_at', '<', before)
    .execute();
}

/** Components of the current SBOMs of a release whose package is `pkg` (purl without version). */
export async function currentComponentsOfRelease(
  q: Q,
  productId: number,
  release: string,
  pkg: string,
): Promise<{ purl: string | null; version: string | null }[]> {
  return q
    .selectFrom('components as c')
    .innerJoin('packages as k', 'k.id', 'c.package_id')
    .innerJoin('sboms as s', 's.id', 'c.sbom_id')
    .innerJoin('releases as r', 'r.id', 's.release_id')
    .select(['c.purl', 'c.version'])
    .where('r.product_id', '=', productId)
    .where('r.version', '=', release)
    .where('s.current', '=', 1)
    .where('k.package', '=', pkg)
    .execute();
}

/** Every statement not yet `fixed` (new threat information may revise it), oldest first. */
export async function openVexStatements(q: Q): Promise<VexStatementRow[]> {
  return statementSelect(q).where('v.status', '!=', 'fixed').orderBy('v.id').execute();
}

/** The statements of these products that are not confidential, oldest first. */
export async function publicVexStatementsOfProducts(
  q: Q,
  productIds: readonly number[],
): Promise<VexStatementRow[]> {
  if (productIds.length === 0) return [];
  return statementSelect(q)
    .where('v.product_id', 'in', productIds)
    .where('v.confidential', '=', 0)
    .orderBy('v.id')
    .execute();
}
