import type { Insertable, Selectable } from 'kysely';
import type { Q } from './db.js';
import type { Database } from './schema.js';

export type SbomSignatureRow = Selectable<Database['sbom_signatures']>;

/** The signature of `sbomId` made by the bundle `bundleDigest`, if it was recorded before. */
export async function findSbomSignature(
  q: Q,
  sbomId: number,
  bundleDigest: string,
): Promise<SbomSignatureRow | undefined> {
  return q
    .selectFrom('sbom_signatures')
    .selectAll()
    .where('sbom_id', '=', sbomId)
    .where('bundle_digest', '=', bundleDigest)
    .executeTakeFirst();
}

/** An SBOM's signatures, oldest first. */
export async function signaturesOfSbom(q: Q, sbomId: number): Promise<SbomSignatureRow[]> {
  return q
    .selectFrom('sbom_signatures')
    .selectAll()
    .where('sbom_id', '=', sbomId)
    .orderBy('id')
    .execute();
}

/** Record a verified signature and mark its SBOM signed (call inside the write's transaction). */
export async function insertSbomSignature(
  q: Q,
  row: Omit<Insertable<Database['sbom_signatures']>, 'id'>,
): Promise<SbomSignatureRow> {
  const r = await q
    .insertInto('sbom_signatures')
    .values(row)
    .returningAll()
    .executeTakeFirstOrThrow();
  await q.updateTable('sboms').set({ signed: 1 }).where('id', '=', row.sbom_id).execute();
  return r;
}

/** Whether any signature row points at this blob (a failed write removes only orphans). */
export async function bundleDigestStored(q: Q, digest: string): Promise<boolean> {
  const r = await q
    .selectFrom('sbom_signatures')
    .select('id')
    .where('bundle_digest', '=', digest)
    .limit(1)
    .executeTakeFirst();
  return r !== undefined;
}
