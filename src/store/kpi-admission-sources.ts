import type { Q } from './db.js';

/**
 * The admission records' counts the KPI catalogue (kpi/) is computed from: organisation-wide (a
 * namespace belongs to no team), over a window or over the recorded deployments.
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
