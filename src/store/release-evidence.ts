import type { Insertable, Selectable } from 'kysely';
import type { Q } from './db.js';
import type { Database } from './schema.js';

export type ReleaseAttestationRow = Selectable<Database['release_attestations']>;
export type RebuildCheckRow = Selectable<Database['rebuild_checks']>;
export type SupplierIntakeRow = Selectable<Database['supplier_intakes']>;

/** The attestation of `artifactId` made by the bundle `bundleDigest`, if it was recorded before. */
export async function findAttestation(
  q: Q,
  artifactId: number,
  bundleDigest: string,
): Promise<ReleaseAttestationRow | undefined> {
  return q
    .selectFrom('release_attestations')
    .selectAll()
    .where('artifact_id', '=', artifactId)
    .where('bundle_digest', '=', bundleDigest)
    .executeTakeFirst();
}

export async function insertAttestation(
  q: Q,
  row: Omit<Insertable<Database['release_attestations']>, 'id'>,
): Promise<ReleaseAttestationRow> {
  return q.insertInto('release_attestations').values(row).returningAll().executeTakeFirstOrThrow();
}

/** A release's attestations, oldest first. */
/** An artifact's attestations, oldest first, at most `limit`. */
export async function attestationsOfArtifact(
  q: Q,
  artifactId: number,
  limit: number,
): Promise<ReleaseAttestationRow[]> {
  return q
    .selectFrom('release_attestations')
    .selectAll()
    .where('artifact_id', '=', artifactId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function attestationsOfRelease(
  q: Q,
  releaseId: number,
): Promise<ReleaseAttestationRow[]> {
  return q
    .selectFrom('release_attestations')
    .selectAll()
    .where('release_id', '=', releaseId)
    .orderBy('id')
    .execute();
}

/**
 * Whether any row points at this blob, as an attestation or an SBOM signature (a failed write
 * removes only orphans).
 */
export async function evidenceBundleStored(q: Q, digest: string): Promise<boolean> {
  const a = await q
    .selectFrom('release_attestations')
    .select('id')
    .where('bundle_digest', '=', digest)
    .limit(1)
    .executeTakeFirst();
  if (a) return true;
  const s = await q
    .selectFrom('sbom_signatures')
    .select('id')
    .where('bundle_digest', '=', digest)
    .limit(1)
    .executeTakeFirst();
  return s !== undefined;
}

export async function insertRebuildCheck(
  q: Q,
  row: Omit<Insertable<Database['rebuild_checks']>, 'id'>,
): Promise<RebuildCheckRow> {
  return q.insertInto('rebuild_checks').values(row).returningAll().executeTakeFirstOrThrow();
}

/** A release's rebuild checks, oldest first. */
export async function rebuildChecksOfRelease(q: Q, releaseId: number): Promise<RebuildCheckRow[]> {
  return q
    .selectFrom('rebuild_checks')
    .selectAll()
    .where('release_id', '=', releaseId)
    .orderBy('id')
    .execute();
}

export async function insertSupplierIntake(
  q: Q,
  row: Omit<Insertable<Database['supplier_intakes']>, 'id'>,
): Promise<SupplierIntakeRow> {
  return q.insertInto('supplier_intakes').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function markSupplier(q: Q, productId: number): Promise<void> {
  await q.updateTable('products').set({ supplier: 1 }).where('id', '=', productId).execute();
}

export async function setTeamSlsaSettings(q: Q, teamId: number, json: string): Promise<void> {
  await q.updateTable('teams').set({ slsa_settings: json }).where('id', '=', teamId).execute();
}

/** The organisation-wide figures `/metrics` shows. */
export async function evidenceFigureRows(q: Q) {
  const [rebuilds, suppliers, attestations, releases] = await Promise.all([
    q.selectFrom('rebuild_checks').select(['release_id', 'artifact_id', 'matches', 'id']).execute(),
    q.selectFrom('products').select(['id']).where('supplier', '=', 1).execute(),
    q.selectFrom('release_attestations').selectAll().orderBy('id').execute(),
    q
      .selectFrom('releases as r')
      .innerJoin('products as p', 'p.id', 'r.product_id')
      .innerJoin('teams as t', 't.id', 'p.team_id')
      .select(['r.id', 'r.product_id', 't.slsa_settings'])
      .execute(),
  ]);
  const artifacts = await q
    .selectFrom('artifacts')
    .select(['id', 'release_id', 'digest'])
    .execute();
  return { rebuilds, suppliers, attestations, releases, artifacts };
}

/** A team's id and stored SLSA settings (JSON or null); undefined for an unknown team. */
export async function findTeamSlsaSettings(
  q: Q,
  team: string,
): Promise<{ id: number; slsa_settings: string | null } | undefined> {
  return q
    .selectFrom('teams')
    .select(['id', 'slsa_settings'])
    .where('name', '=', team)
    .executeTakeFirst();
}
