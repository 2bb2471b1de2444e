import type { Q } from './db.js';

/**
 * Release evidence for the KPI catalogue: every release of one team (or all) with its artifacts,
 * attestations and which of its digests are in the transparency log. Read once per computation;
 * the caller groups (a snapshot assesses every release, so per-release queries would be many).
 */
export async function releaseEvidenceRows(q: Q, teamId?: number) {
  let releases = q
    .selectFrom('releases as r')
    .innerJoin('products as p', 'p.id', 'r.product_id')
    .innerJoin('teams as t', 't.id', 'p.team_id')
    .select([
      'r.id',
      'r.product_id',
      'p.name as product',
      'p.supplier',
      'p.team_id',
      't.slsa_settings',
    ]);
  if (teamId !== undefined) releases = releases.where('p.team_id', '=', teamId);
  const rels = await releases.execute();
  const ids = rels.map((r) => r.id);
  const artifacts: { id: number; release_id: number; digest: string }[] = [];
  const attestations = [];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    artifacts.push(
      ...(await q
        .selectFrom('artifacts')
        .select(['id', 'release_id', 'digest'])
        .where('release_id', 'in', chunk)
        .execute()),
    );
    attestations.push(
      ...(await q
        .selectFrom('release_attestations')
        .selectAll()
        .where('release_id', 'in', chunk)
        .orderBy('id')
        .execute()),
    );
  }
  const digests = [...new Set(artifacts.map((a) => a.digest))];
  const logged = new Set<string>();
  for (let i = 0; i < digests.length; i += 500) {
    const rows = await q
      .selectFrom('tlog_entries')
      .select('subject')
      .distinct()
      .where('subject', 'in', digests.slice(i, i + 500))
      .execute();
    for (const r of rows) logged.add(r.subject);
  }
  return { releases: rels, artifacts, attestations, logged };
}

/** Services (products that are not third-party) with at least one release. */
export async function serviceNames(q: Q, teamId?: number): Promise<string[]> {
  let query = q
    .selectFrom('products as p')
    .select('p.name')
    .where('p.supplier', '=', 0)
    .where((eb) =>
      eb.exists(
        eb.selectFrom('releases as r').select('r.id').whereRef('r.product_id', '=', 'p.id'),
      ),
    );
  if (teamId !== undefined) query = query.where('p.team_id', '=', teamId);
  return (await query.execute()).map((r) => r.name);
}
