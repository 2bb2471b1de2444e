import type { Selectable } from 'kysely';
import type { Q } from './db.js';
import type { Database } from './schema.js';

// The reads an evidence export makes beyond the catalogue's: decisions about the release's
// digests, governance records of its period, its audit rows, who holds which role.

export type EvidenceDecisionRow = Selectable<Database['admission_decisions']>;
export type EvidenceDecisionImageRow = Selectable<Database['admission_decision_images']>;
export type EvidenceAuditRow = Selectable<Database['audit_events']>;
export type EvidenceVexDocumentRow = Selectable<Database['vex_documents']>;

/** Admission decisions with an image of one of `digests`, oldest first, at most `limit`. */
export async function decisionsAboutDigests(
  q: Q,
  digests: readonly string[],
  limit: number,
): Promise<{ decisions: EvidenceDecisionRow[]; images: EvidenceDecisionImageRow[] }> {
  if (digests.length === 0) return { decisions: [], images: [] };
  const decisions = await q
    .selectFrom('admission_decisions as d')
    .selectAll('d')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('admission_decision_images as i')
          .select('i.id')
          .whereRef('i.decision_id', '=', 'd.id')
          .where('i.digest', 'in', [...digests]),
      ),
    )
    .orderBy('d.id')
    .limit(limit)
    .execute();
  const ids = decisions.map((d) => d.id);
  const images =
    ids.length === 0
      ? []
      : await q
          .selectFrom('admission_decision_images')
          .selectAll()
          .where('decision_id', 'in', ids)
          .orderBy('id')
          .execute();
  return { decisions, images };
}

/**
 * Admission exceptions in force at some time since `since` (expiring after it); `team` limits
 * them to those its service owners requested.
 */
export async function exceptionsSince(q: Q, since: string, team?: string) {
  let query = q.selectFrom('admission_exceptions').selectAll().where('expires_at', '>=', since);
  if (team !== undefined) query = query.where('team', '=', team);
  const rows = await query.orderBy('id').execute();
  const approvals =
    rows.length === 0
      ? []
      : await q
          .selectFrom('admission_exception_approvals')
          .selectAll()
          .where(
            'exception_id',
            'in',
            rows.map((r) => r.id),
          )
          .orderBy('id')
          .execute();
  return { rows, approvals };
}

/** Mode overrides in force at some time since `since`. */
export async function overridesSince(q: Q, since: string) {
  const rows = await q
    .selectFrom('admission_overrides')
    .selectAll()
    .where('expires_at', '>=', since)
    .orderBy('id')
    .execute();
  const approvals =
    rows.length === 0
      ? []
      : await q
          .selectFrom('admission_override_approvals')
          .selectAll()
          .where(
            'override_id',
            'in',
            rows.map((r) => r.id),
          )
          .orderBy('id')
          .execute();
  return { rows, approvals };
}

/** The team's emergency certificate requests since `since` (issued or not). */
export async function emergencyRequestsSince(q: Q, teamId: number, since: string) {
  return q
    .selectFrom('emergency_requests')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('requested_at', '>=', since)
    .orderBy('id')
    .execute();
}

/** Audit rows whose target is one of `targets`, oldest first, at most `limit`. */
export async function auditRowsAbout(
  q: Q,
  targets: readonly string[],
  limit: number,
): Promise<EvidenceAuditRow[]> {
  if (targets.length === 0) return [];
  return q
    .selectFrom('audit_events')
    .selectAll()
    .where('target', 'in', [...targets])
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Every VEX document published for the product, oldest first. */
export async function vexDocumentsOfProduct(
  q: Q,
  productId: number,
): Promise<EvidenceVexDocumentRow[]> {
  return q
    .selectFrom('vex_documents')
    .selectAll()
    .where('product_id', '=', productId)
    .orderBy('id')
    .execute();
}

/** Live tokens' holders: person, role and teams (never a secret or its hash). */
export async function roleHolders(q: Q, now: string) {
  return q
    .selectFrom('tokens')
    .select(['name', 'person', 'role', 'teams', 'expires_at'])
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('person')
    .orderBy('role')
    .execute();
}

/** The team's signing identities as stored (JSON list of sign/'s SigningIdentity). */
export async function teamSigningIdentities(q: Q, teamId: number): Promise<string> {
  const r = await q
    .selectFrom('teams')
    .select('signing_identities')
    .where('id', '=', teamId)
    .executeTakeFirst();
  return r?.signing_identities ?? '[]';
}

/** One component purl of the SBOMs `sbomIds` (a real example for the runbook's queries). */
export async function somePurlOf(q: Q, sbomIds: readonly number[]): Promise<string | null> {
  if (sbomIds.length === 0) return null;
  const r = await q
    .selectFrom('components')
    .select('purl')
    .where('sbom_id', 'in', [...sbomIds])
    .where('purl', 'is not', null)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return r?.purl ?? null;
}
