import type { Q } from './db.js';

/** One stored piece of admission's verified material (app/admission/engine/). */
export interface AdmissionMaterialRow {
  key: string;
  digest: string;
  registry: string;
  repository: string;
  verifiedAt: string;
  /** JSON as the engine wrote it. */
  material: string;
  pinned: boolean;
}

/** The stored material under `key`, if any. */
export async function findAdmissionMaterial(
  q: Q,
  key: string,
): Promise<AdmissionMaterialRow | undefined> {
  const r = await q
    .selectFrom('admission_material')
    .selectAll()
    .where('key', '=', key)
    .executeTakeFirst();
  return r === undefined
    ? undefined
    : {
        key: r.key,
        digest: r.digest,
        registry: r.registry,
        repository: r.repository,
        verifiedAt: r.verified_at,
        material: r.material,
        pinned: Number(r.pinned) === 1,
      };
}

/**
 * Store (or replace) material. A pinned row stays pinned when fresh material replaces it
 * unless `pinned` says otherwise explicitly; `pinned: undefined` keeps what the row had.
 */
export async function saveAdmissionMaterial(
  q: Q,
  row: Omit<AdmissionMaterialRow, 'pinned'> & { pinned?: boolean },
): Promise<void> {
  const values = {
    key: row.key,
    digest: row.digest,
    registry: row.registry,
    repository: row.repository,
    verified_at: row.verifiedAt,
    material: row.material,
  };
  await q
    .insertInto('admission_material')
    .values({ ...values, pinned: row.pinned === true ? 1 : 0 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        verified_at: values.verified_at,
        material: values.material,
        registry: values.registry,
        repository: values.repository,
        ...(row.pinned !== undefined ? { pinned: row.pinned ? 1 : 0 } : {}),
      }),
    )
    .execute();
}

/** Forget material verified before `before` (ISO 8601) that is not pinned; returns how many. */
export async function pruneAdmissionMaterial(q: Q, before: string): Promise<number> {
  const r = await q
    .deleteFrom('admission_material')
    .where('verified_at', '<', before)
    .where('pinned', '=', 0)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Stop keeping a digest's rollback bundles. */
export async function unpinAdmissionMaterial(q: Q, digest: string): Promise<void> {
  await q
    .updateTable('admission_material')
    .set({ pinned: 0 })
    .where('digest', '=', digest)
    .execute();
}
