import type { Services } from '../services.js';
import { draftFromAdvisory } from '../vex/statements.js';

/**
 * Pattern 2 of seed 001, steps 2–3: for the open findings of the given advisories (or of one
 * artifact), draft an `under_investigation` VEX statement per affected product, as the system.
 * A product that already has a statement for the advisory keeps it (draftFromAdvisory skips it),
 * so running this after every match job is idempotent.
 */
export async function draftVexForFindings(
  s: Services,
  scope: { advisoryIds: readonly string[] } | { artifactId: number },
): Promise<number> {
  let q = s.db.read
    .selectFrom('vuln_findings as f')
    .innerJoin('products as p', 'p.id', 'f.product_id')
    .innerJoin('releases as r', 'r.id', 'f.release_id')
    .innerJoin('advisories as a', 'a.id', 'f.advisory_id')
    .select(['f.advisory_id', 'a.aliases', 'a.summary', 'p.name as product', 'r.version', 'f.purl'])
    .where('f.closed_at', 'is', null);
  if ('artifactId' in scope) q = q.where('f.artifact_id', '=', scope.artifactId);
  else if (scope.advisoryIds.length === 0) return 0;
  else q = q.where('f.advisory_id', 'in', [...scope.advisoryIds]);
  const rows = await q.execute();
  const byAdvisory = new Map<string, typeof rows>();
  for (const r of rows) {
    const list = byAdvisory.get(r.advisory_id);
    if (list) list.push(r);
    else byAdvisory.set(r.advisory_id, [r]);
  }
  let drafted = 0;
  for (const [id, list] of byAdvisory) {
    const first = list[0] as (typeof rows)[number];
    const aliases = JSON.parse(first.aliases) as string[];
    const made = await draftFromAdvisory(
      s,
      {
        id,
        ...(aliases.length > 0 ? { aliases } : {}),
        ...(first.summary ? { summary: first.summary } : {}),
      },
      list.map((r) => ({ product: r.product, release: r.version, component: r.purl })),
    );
    drafted += made.length;
  }
  return drafted;
}
