import { sql } from 'kysely';
import type { Q } from './db.js';

/**
 * The counts the KPI catalogue (kpi/) is computed from: one small query per figure, each over an
 * indexed column or a bounded window. `teamId` limits team-scoped figures to one team.
 */

const n = (x: { n: number | string | bigint } | undefined) => Number(x?.n ?? 0);

/** Images of real (not dry-run) admitted requests since `since`, and those that verified. */
export async function admittedImageCounts(q: Q, since: string) {
  const rows = await q
    .selectFrom('admission_decision_images as i')
    .innerJoin('admission_decisions as d', 'd.id', 'i.decision_id')
    .select(['i.outcome', (eb) => eb.fn.countAll<number>().as('n')])
    .where('d.at', '>=', since)
    .where('d.allowed', '=', 1)
    .where('d.dry_run', '=', 0)
    .groupBy('i.outcome')
    .execute();
  let images = 0;
  let passed = 0;
  for (const r of rows) {
    images += Number(r.n);
    if (r.outcome === 'pass') passed += Number(r.n);
  }
  return { images, passed };
}

/** Real admission requests since `since`, and how many of them were of each kind. */
export async function decisionCounts(q: Q, since: string) {
  const base = () =>
    q
      .selectFrom('admission_decisions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('at', '>=', since)
      .where('dry_run', '=', 0);
  const [all, provenance, degraded, reconciled, outage] = await Promise.all([
    base().executeTakeFirst(),
    base()
      .where('reasons', 'like', '%"provenance"%')
      .where((eb) => eb.or([eb('allowed', '=', 0), eb('would_deny', '=', 1)]))
      .executeTakeFirst(),
    base().where('allowed', '=', 1).where('degraded', '=', 1).executeTakeFirst(),
    base()
      .where('allowed', '=', 1)
      .where('degraded', '=', 1)
      .where('reconciled_at', 'is not', null)
      .executeTakeFirst(),
    base()
      .where('allowed', '=', 0)
      .where('reasons', 'like', '%"infrastructure"%')
      .executeTakeFirst(),
  ]);
  return {
    requests: n(all),
    provenanceBlocked: n(provenance),
    degraded: n(degraded),
    degradedReconciled: n(reconciled),
    outageDenied: n(outage),
  };
}

/** Seconds of the final reconciliations since `since`. */
export async function reconcileSeconds(q: Q, since: string): Promise<number[]> {
  const rows = await q
    .selectFrom('admission_reconciliations')
    .select('seconds')
    .where('result', 'in', ['confirmed', 'overturned'])
    .where('reconciled_at', '>=', since)
    .limit(100_000)
    .execute();
  return rows.map((r) => Number(r.seconds));
}

/** Mode periods that overlap [since, now]. */
export async function modePeriodRows(q: Q, since: string) {
  return q
    .selectFrom('admission_mode_periods')
    .select(['namespace', 'mode', 'started_at', 'ended_at'])
    .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>=', since)]))
    .limit(100_000)
    .execute();
}

/** Hourly decision counts from `hour` (`YYYY-MM-DDTHH`) on. */
export async function hourlyRows(q: Q, hour: string) {
  return q
    .selectFrom('admission_hourly')
    .select(['hour', 'decisions', 'infra'])
    .where('hour', '>=', hour)
    .execute();
}

/** Digests deployed, those with cached verification material, those with a current SBOM. */
export async function deployedDigestCounts(q: Q) {
  const deployed = q.selectFrom('admission_deployments').select('digest').distinct();
  const [all, material, sbom] = await Promise.all([
    q
      .selectFrom(deployed.as('d'))
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst(),
    q
      .selectFrom(deployed.as('d'))
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('admission_material as m')
            .select('m.key')
            .whereRef('m.digest', '=', 'd.digest'),
        ),
      )
      .executeTakeFirst(),
    q
      .selectFrom(deployed.as('d'))
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('artifacts as a')
            .innerJoin('sboms as s', 's.artifact_id', 'a.id')
            .select('s.id')
            .whereRef('a.digest', '=', 'd.digest')
            .where('s.current', '=', 1),
        ),
      )
      .executeTakeFirst(),
  ]);
  return { deployed: n(all), withMaterial: n(material), withSbom: n(sbom) };
}

/**
 * Per digest whose first admission verdict `reason` came at or after `since`: that time, and the
 * digest's registration in the inventory (with its team) when it has one.
 */
export async function firstVerdicts(
  q: Q,
  reasons: readonly string[],
  since: string,
  effect?: string,
) {
  let query = q
    .selectFrom('admission_decision_images as i')
    .innerJoin('admission_decisions as d', 'd.id', 'i.decision_id')
    .select(['i.digest', (eb) => eb.fn.min('d.at').as('first')])
    .where('i.reason', 'in', reasons)
    .where('i.digest', 'is not', null)
    .where('d.dry_run', '=', 0)
    .groupBy('i.digest')
    .having((eb) => eb.fn.min('d.at'), '>=', since);
  if (effect !== undefined) query = query.where('i.effect', '=', effect);
  const rows = await query.limit(100_000).execute();
  return rows.map((r) => ({ digest: String(r.digest), first: String(r.first) }));
}

/** Each digest's earliest registration as an artifact, and the team of that artifact. */
export async function artifactRegistrations(q: Q, digests: readonly string[]) {
  const out = new Map<string, { createdAt: string; teamId: number }>();
  for (let i = 0; i < digests.length; i += 500) {
    const rows = await q
      .selectFrom('artifacts as a')
      .innerJoin('releases as r', 'r.id', 'a.release_id')
      .innerJoin('products as p', 'p.id', 'r.product_id')
      .select(['a.digest', 'a.created_at', 'p.team_id'])
      .where('a.digest', 'in', digests.slice(i, i + 500))
      .orderBy('a.created_at')
      .execute();
    for (const r of rows)
      if (!out.has(r.digest)) out.set(r.digest, { createdAt: r.created_at, teamId: r.team_id });
  }
  return out;
}

/** When each digest was first denied and first admitted. */
export async function imageFirsts(q: Q, digests: readonly string[]) {
  const out = new Map<string, { deniedAt: string | null; admittedAt: string | null }>();
  for (let i = 0; i < digests.length; i += 500) {
    const rows = await q
      .selectFrom('admission_image_firsts')
      .select(['digest', 'first_denied_at', 'first_admitted_at'])
      .where('digest', 'in', digests.slice(i, i + 500))
      .execute();
    for (const r of rows)
      out.set(r.digest, { deniedAt: r.first_denied_at, admittedAt: r.first_admitted_at });
  }
  return out;
}

/** Rebuild checks since `since`, and those that matched. */
export async function rebuildCounts(q: Q, since: string, teamId?: number) {
  let query = q
    .selectFrom('rebuild_checks as c')
    .innerJoin('releases as r', 'r.id', 'c.release_id')
    .innerJoin('products as p', 'p.id', 'r.product_id')
    .select([
      (eb) => eb.fn.countAll<number>().as('n'),
      sql<number>`sum(case when c.matches = 1 then 1 else 0 end)`.as('matching'),
    ])
    .where('c.checked_at', '>=', since);
  if (teamId !== undefined) query = query.where('p.team_id', '=', teamId);
  const r = await query.executeTakeFirst();
  return { total: n(r), matching: Number(r?.matching ?? 0) };
}

/** Artifacts, and those whose current SBOM is signed. */
export async function signedSbomCounts(q: Q, teamId?: number) {
  let query = q
    .selectFrom('artifacts as a')
    .innerJoin('releases as r', 'r.id', 'a.release_id')
    .innerJoin('products as p', 'p.id', 'r.product_id')
    .leftJoin('sboms as s', (j) => j.onRef('s.artifact_id', '=', 'a.id').on('s.current', '=', 1))
    .select([
      (eb) => eb.fn.countAll<number>().as('n'),
      sql<number>`sum(case when s.signed = 1 then 1 else 0 end)`.as('signed'),
    ]);
  if (teamId !== undefined) query = query.where('p.team_id', '=', teamId);
  const r = await query.executeTakeFirst();
  return { artifacts: n(r), signed: Number(r?.signed ?? 0) };
}

/** When each current SBOM's build happened: its document's creation time, else its intake. */
export async function currentSbomBuildTimes(q: Q, teamId?: number): Promise<string[]> {
  let query = q
    .selectFrom('sboms')
    .select(['document_created', 'created_at'])
    .where('current', '=', 1);
  if (teamId !== undefined) query = query.where('team_id', '=', teamId);
  const rows = await query.limit(1_000_000).execute();
  return rows.map((r) => r.document_created ?? r.created_at);
}

/** Opening and fixing times of high and critical findings fixed since `since`. */
export async function fixedHighFindings(q: Q, since: string, teamId?: number) {
  let query = q
    .selectFrom('vuln_findings')
    .select(['opened_at', 'closed_at'])
    .where('severity_rating', 'in', ['high', 'critical'])
    .where('close_reason', 'in', ['fixed', 'vex_fixed'])
    .where('closed_at', '>=', since);
  if (teamId !== undefined) query = query.where('team_id', '=', teamId);
  return query.limit(100_000).execute();
}

/** Supplier products, and those with an intake that carried a verified SBOM. */
export async function supplierSbomCounts(q: Q, teamId?: number) {
  let query = q
    .selectFrom('products as p')
    .select([
      (eb) => eb.fn.countAll<number>().as('n'),
      (eb) =>
        eb.fn
          .sum<number>(
            eb
              .case()
              .when(
                eb.exists(
                  eb
                    .selectFrom('supplier_intakes as i')
                    .select('i.id')
                    .whereRef('i.product_id', '=', 'p.id')
                    .where('i.sbom_id', 'is not', null),
                ),
              )
              .then(1)
              .else(0)
              .end(),
          )
          .as('covered'),
    ])
    .where('p.supplier', '=', 1);
  if (teamId !== undefined) query = query.where('p.team_id', '=', teamId);
  const r = await query.executeTakeFirst();
  return { suppliers: n(r), covered: Number(r?.covered ?? 0) };
}
