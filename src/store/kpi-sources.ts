import { sql } from 'kysely';
import type { Q } from './db.js';

/**
 * The counts the KPI catalogue (kpi/) is computed from: one small query per figure, each over an
 * indexed column or a bounded window. `teamId` limits team-scoped figures to one team.
 */

const n = (x: { n: number | string | bigint } | undefined) => Number(x?.n ?? 0);

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
