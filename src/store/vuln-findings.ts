import type { Insertable, Selectable } from 'kysely';
import type { Q } from './db.js';
import type { Database } from './schema.js';

// Findings: one advisory affecting one package of one artifact (its current SBOMs), with the
// times it was opened and closed. app/vulnerabilities decides what is affected; this file keeps
// the rows in step with that decision.

export type FindingRow = Selectable<Database['vuln_findings']>;

/** What matching says should be open now, for one (advisory, artifact, package). */
export interface DesiredFinding {
  advisoryId: string;
  teamId: number;
  productId: number;
  releaseId: number;
  artifactId: number;
  sbomId: number;
  packageId: number;
  purl: string;
  versions: string[];
  fixed: string | null;
  severityScore: number | null;
  severityRating: string;
}

export interface ReconcileOutcome {
  opened: number;
  updated: number;
  closed: number;
}

const CHUNK = 500;

/** The close reasons a VEX statement gives (a finding closed so stays closed when re-matched). */
export const VEX_CLOSE_REASONS = ['vex_fixed', 'vex_not_affected'] as const;

/** A component of a current SBOM, with where it ships. */
export interface PlacedComponent {
  package_id: number;
  purl: string;
  sbom_id: number;
  artifact_id: number;
  release_id: number;
  product_id: number;
  team_id: number;
}

/** The current SBOMs of an artifact (two when a format migration keeps both). */
export async function currentSbomIdsOfArtifact(q: Q, artifactId: number): Promise<number[]> {
  const rows = await q
    .selectFrom('sboms')
    .select('id')
    .where('artifact_id', '=', artifactId)
    .where('current', '=', 1)
    .execute();
  return rows.map((r) => r.id);
}

/** Components joined to their SBOM, with what places them (artifact, release, product, team). */
function placedComponents(q: Q) {
  return q
    .selectFrom('components as c')
    .innerJoin('sboms as s', 's.id', 'c.sbom_id')
    .select([
      'c.package_id',
      'c.purl',
      'c.sbom_id',
      's.artifact_id',
      's.release_id',
      's.product_id',
      's.team_id',
    ]);
}

/** Components with a purl of these SBOMs (current or not: the caller chose them). */
export async function componentsOfSboms(
  q: Q,
  sbomIds: readonly number[],
): Promise<PlacedComponent[]> {
  if (sbomIds.length === 0) return [];
  const rows = await placedComponents(q)
    .where('c.sbom_id', 'in', sbomIds)
    .where('c.purl', 'is not', null)
    .execute();
  return rows as PlacedComponent[];
}

/** Package dictionary ids of these package keys (`pkg:type/namespace/name`), by key. */
export async function packageIdsByKey(q: Q, keys: readonly string[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (let i = 0; i < keys.length; i += CHUNK) {
    const rows = await q
      .selectFrom('packages')
      .select(['id', 'package'])
      .where('package', 'in', keys.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) ids.set(r.package, r.id);
  }
  return ids;
}

/**
 * Package dictionary ids whose key is one of these, ignoring case (`keys` in lower case). This
 * reads the whole dictionary, not an index: only advisories of ecosystems that ignore case in
 * names whose purls keep it (NuGet) pay for it.
 */
export async function packageIdsByKeyIgnoringCase(
  q: Q,
  keys: readonly string[],
): Promise<Map<string, number[]>> {
  const ids = new Map<string, number[]>();
  for (let i = 0; i < keys.length; i += CHUNK) {
    const rows = await q
      .selectFrom('packages')
      .select(['id', 'package'])
      .where((eb) => eb(eb.fn('lower', ['package']), 'in', keys.slice(i, i + CHUNK)))
      .execute();
    for (const r of rows) {
      const k = r.package.toLowerCase();
      ids.set(k, [...(ids.get(k) ?? []), r.id]);
    }
  }
  return ids;
}

/**
 * Package ids of OS packages (`pkg:<type>/<namespace>/…`) whose components name `source` as their
 * `upstream` (distribution advisories name source packages; SBOMs list binary ones). This reads
 * the components of that namespace, not an index: only distribution advisories pay for it.
 */
export async function packageIdsByUpstream(
  q: Q,
  prefix: string,
  source: string,
): Promise<number[]> {
  const rows = await q
    .selectFrom('components as c')
    .innerJoin('sboms as s', 's.id', 'c.sbom_id')
    .select('c.package_id')
    .distinct()
    .where('s.current', '=', 1)
    .where('c.purl', 'like', `${prefix}%upstream=${source}%`)
    .execute();
  return rows.map((r) => r.package_id);
}

/** Components of current SBOMs whose package is one of these. */
export async function currentComponentsOfPackages(
  q: Q,
  packageIds: readonly number[],
): Promise<PlacedComponent[]> {
  const out: PlacedComponent[] = [];
  for (let i = 0; i < packageIds.length; i += CHUNK) {
    const rows = await placedComponents(q)
      .where('c.package_id', 'in', packageIds.slice(i, i + CHUNK))
      .where('s.current', '=', 1)
      .where('c.purl', 'is not', null)
      .execute();
    out.push(...(rows as PlacedComponent[]));
  }
  return out;
}

/**
 * Bring the open findings of one artifact, or of some advisories, in line with `desired` (all of
 * which must lie in that scope): open the new ones, refresh the ones still affected, close the
 * rest with the reason `reasonOf` gives. Runs inside the caller's transaction.
 */
export async function reconcileFindings(
  q: Q,
  scope: { artifactId: number } | { advisoryIds: readonly string[] },
  desired: readonly DesiredFinding[],
  o: { at: string; reasonOf: (open: FindingRow) => string; closedSbomId?: number },
): Promise<ReconcileOutcome> {
  const open = await findingsInScope(q, scope, 'open');
  const key = (a: string, artifact: number, pkg: number) => `${a}\u0000${artifact}\u0000${pkg}`;
  const byKey = new Map(open.map((f) => [key(f.advisory_id, f.artifact_id, f.package_id), f]));
  // A finding a VEX statement closed (not_affected, fixed) stays closed while matching still
  // finds it: refreshed, never opened again as a new row (the statement decides; reopening is
  // app/vex's, when the analysis is revised).
  for (const f of (await findingsInScope(q, scope, 'vexClosed')).sort((a, b) => a.id - b.id)) {
    const k = key(f.advisory_id, f.artifact_id, f.package_id);
    if (!byKey.has(k) || byKey.get(k)?.closed_at !== null) byKey.set(k, f);
  }
  const out: ReconcileOutcome = { opened: 0, updated: 0, closed: 0 };
  const keep = new Set<string>();
  const inserts: Insertable<Database['vuln_findings']>[] = [];
  for (const d of desired) {
    const k = key(d.advisoryId, d.artifactId, d.packageId);
    keep.add(k);
    const f = byKey.get(k);
    const versions = JSON.stringify(d.versions);
    if (f) {
      if (
        f.sbom_id !== d.sbomId ||
        f.purl !== d.purl ||
        f.versions !== versions ||
        f.fixed !== d.fixed ||
        f.severity_rating !== d.severityRating ||
        (f.severity_score === null ? null : Number(f.severity_score)) !== d.severityScore
      ) {
        await q
          .updateTable('vuln_findings')
          .set({
            sbom_id: d.sbomId,
            purl: d.purl,
            versions,
            fixed: d.fixed,
            severity_score: d.severityScore,
            severity_rating: d.severityRating,
            updated_at: o.at,
          })
          .where('id', '=', f.id)
          .execute();
        out.updated++;
      }
      continue;
    }
    inserts.push({
      advisory_id: d.advisoryId,
      team_id: d.teamId,
      product_id: d.productId,
      release_id: d.releaseId,
      artifact_id: d.artifactId,
      sbom_id: d.sbomId,
      package_id: d.packageId,
      purl: d.purl,
      versions,
      fixed: d.fixed,
      severity_score: d.severityScore,
      severity_rating: d.severityRating,
      opened_at: o.at,
      opened_sbom_id: d.sbomId,
      updated_at: o.at,
      closed_at: null,
      close_reason: null,
      closed_sbom_id: null,
    });
  }
  for (let i = 0; i < inserts.length; i += CHUNK) {
    await q
      .insertInto('vuln_findings')
      .values(inserts.slice(i, i + CHUNK))
      .execute();
  }
  out.opened = inserts.length;
  for (const f of open) {
    if (keep.has(key(f.advisory_id, f.artifact_id, f.package_id))) continue;
    await q
      .updateTable('vuln_findings')
      .set({
        closed_at: o.at,
        close_reason: o.reasonOf(f),
        closed_sbom_id: o.closedSbomId ?? null,
        updated_at: o.at,
      })
      .where('id', '=', f.id)
      .execute();
    out.closed++;
  }
  return out;
}

// The open findings, or those a VEX statement closed, of one artifact or of some advisories.
async function findingsInScope(
  q: Q,
  scope: { artifactId: number } | { advisoryIds: readonly string[] },
  which: 'open' | 'vexClosed',
): Promise<FindingRow[]> {
  const select = () => {
    const s = q.selectFrom('vuln_findings').selectAll();
    return which === 'open'
      ? s.where('closed_at', 'is', null)
      : s.where('close_reason', 'in', VEX_CLOSE_REASONS);
  };
  if ('artifactId' in scope) return select().where('artifact_id', '=', scope.artifactId).execute();
  const out: FindingRow[] = [];
  for (let i = 0; i < scope.advisoryIds.length; i += CHUNK) {
    out.push(
      ...(await select()
        .where('advisory_id', 'in', scope.advisoryIds.slice(i, i + CHUNK))
        .execute()),
    );
  }
  return out;
}

/** Record that an SBOM has been matched. */
export async function recordSbomScan(
  q: Q,
  sbomId: number,
  at: string,
  findings: number,
): Promise<void> {
  await q.deleteFrom('vuln_sbom_scans').where('sbom_id', '=', sbomId).execute();
  await q
    .insertInto('vuln_sbom_scans')
    .values({ sbom_id: sbomId, matched_at: at, findings })
    .execute();
}

/** Current SBOMs the after-ingest job has not matched yet (lost to a crash between commit and enqueue). */
export async function unmatchedSbomIds(q: Q, limit: number): Promise<number[]> {
  const rows = await q
    .selectFrom('sboms as s')
    .leftJoin('vuln_sbom_scans as v', 'v.sbom_id', 's.id')
    .select('s.id')
    .where('s.current', '=', 1)
    .where('v.sbom_id', 'is', null)
    .orderBy('s.id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

// --- reads ---------------------------------------------------------------------------------------

/** A finding with the names of where it ships. */
export interface FindingListRow extends FindingRow {
  team: string;
  product: string;
  release: string;
  artifact_digest: string;
  artifact_name: string | null;
}

export interface FindingFilter {
  /** undefined: every team. */
  teamIds?: readonly number[];
  state: 'open' | 'closed' | 'all';
  product?: string;
  ratings?: readonly string[];
  advisoryIds?: readonly string[];
}

/** Advisory ids with findings passing the filter, in id order after `after`, up to `limit`. */
export async function advisoryIdsWithFindings(
  q: Q,
  f: FindingFilter,
  o: { after?: string; limit: number },
): Promise<string[]> {
  if (f.teamIds !== undefined && f.teamIds.length === 0) return [];
  if (f.advisoryIds !== undefined && f.advisoryIds.length === 0) return [];
  let s = q
    .selectFrom('vuln_findings as f')
    .innerJoin('products as p', 'p.id', 'f.product_id')
    .select('f.advisory_id')
    .distinct();
  s = filtered(s, f);
  if (o.after !== undefined) s = s.where('f.advisory_id', '>', o.after);
  const rows = await s.orderBy('f.advisory_id').limit(o.limit).execute();
  return rows.map((r) => r.advisory_id);
}

/** The findings of these advisories that pass the filter, with where each ships. */
export async function findingsOf(
  q: Q,
  advisoryIds: readonly string[],
  f: FindingFilter,
): Promise<FindingListRow[]> {
  if (advisoryIds.length === 0) return [];
  if (f.teamIds !== undefined && f.teamIds.length === 0) return [];
  let s = q
    .selectFrom('vuln_findings as f')
    .innerJoin('products as p', 'p.id', 'f.product_id')
    .innerJoin('teams as t', 't.id', 'f.team_id')
    .innerJoin('releases as r', 'r.id', 'f.release_id')
    .innerJoin('artifacts as a', 'a.id', 'f.artifact_id')
    .selectAll('f')
    .select([
      't.name as team',
      'p.name as product',
      'r.version as release',
      'a.digest as artifact_digest',
      'a.name as artifact_name',
    ])
    .where('f.advisory_id', 'in', advisoryIds);
  s = filtered(s, f);
  return (await s.orderBy('f.advisory_id').orderBy('f.id').execute()) as FindingListRow[];
}

// biome-ignore lint/suspicious/noExplicitAny: one filter for two query shapes over the same aliases
function filtered<S extends { where: (...a: any[]) => S }>(s: S, f: FindingFilter): S {
  let out = s;
  if (f.teamIds !== undefined) out = out.where('f.team_id', 'in', f.teamIds);
  if (f.state === 'open') out = out.where('f.closed_at', 'is', null);
  if (f.state === 'closed') out = out.where('f.closed_at', 'is not', null);
  if (f.product !== undefined) out = out.where('p.name', '=', f.product);
  if (f.ratings !== undefined) out = out.where('f.severity_rating', 'in', f.ratings);
  if (f.advisoryIds !== undefined) out = out.where('f.advisory_id', 'in', f.advisoryIds);
  return out;
}

/** Open findings by severity rating, and the opened/closed times of closed ones, for `/metrics`. */
export async function findingFigures(q: Q): Promise<{
  openByRating: Map<string, number>;
  closedHigh: { opened_at: string; closed_at: string; close_reason: string }[];
}> {
  const open = await q
    .selectFrom('vuln_findings')
    .select((eb) => ['severity_rating', eb.fn.countAll<number>().as('n')])
    .where('closed_at', 'is', null)
    .groupBy('severity_rating')
    .execute();
  const closedHigh = await q
    .selectFrom('vuln_findings')
    .select(['opened_at', 'closed_at', 'close_reason'])
    .where('closed_at', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('severity_score', '>=', 7),
        eb.and([
          eb('severity_score', 'is', null),
          eb('severity_rating', 'in', ['high', 'critical']),
        ]),
      ]),
    )
    .execute();
  return {
    openByRating: new Map(open.map((r) => [r.severity_rating, Number(r.n)])),
    closedHigh: closedHigh as { opened_at: string; closed_at: string; close_reason: string }[],
  };
}

/** Which of these SBOM ids are current. */
export async function currentAmong(q: Q, sbomIds: readonly number[]): Promise<Set<number>> {
  const out = new Set<number>();
  for (let i = 0; i < sbomIds.length; i += CHUNK) {
    const rows = await q
      .selectFrom('sboms')
      .select('id')
      .where('id', 'in', sbomIds.slice(i, i + CHUNK))
      .where('current', '=', 1)
      .execute();
    for (const r of rows) out.add(r.id);
  }
  return out;
}

/** The SBOM ids of the open findings of these advisories. */
export async function openFindingSbomIds(q: Q, advisoryIds: readonly string[]): Promise<number[]> {
  const out = new Set<number>();
  for (let i = 0; i < advisoryIds.length; i += CHUNK) {
    const rows = await q
      .selectFrom('vuln_findings')
      .select('sbom_id')
      .distinct()
      .where('advisory_id', 'in', advisoryIds.slice(i, i + CHUNK))
      .where('closed_at', 'is', null)
      .execute();
    for (const r of rows) out.add(r.sbom_id);
  }
  return [...out];
}

// --- VEX settles findings ------------------------------------------------------------------------

/** A finding of one product with the release it ships in, for deciding what a statement covers. */
export interface ProductFindingRow {
  id: number;
  advisory_id: string;
  release: string;
  sbom_id: number;
  closed_at: string | null;
  close_reason: string | null;
}

/**
 * The findings of one product for these advisories: the open ones (`open`), or the ones a VEX
 * statement closed (`vexClosed`).
 */
export async function productFindings(
  q: Q,
  o: { productId: number; advisoryIds: readonly string[]; which: 'open' | 'vexClosed' },
): Promise<ProductFindingRow[]> {
  if (o.advisoryIds.length === 0) return [];
  let s = q
    .selectFrom('vuln_findings as f')
    .innerJoin('releases as r', 'r.id', 'f.release_id')
    .select([
      'f.id',
      'f.advisory_id',
      'r.version as release',
      'f.sbom_id',
      'f.closed_at',
      'f.close_reason',
    ])
    .where('f.product_id', '=', o.productId)
    .where('f.advisory_id', 'in', o.advisoryIds);
  s =
    o.which === 'open'
      ? s.where('f.closed_at', 'is', null)
      : s.where('f.close_reason', 'in', VEX_CLOSE_REASONS);
  return (await s.orderBy('f.id').execute()) as ProductFindingRow[];
}

/** Close these open findings with a VEX reason. */
export async function closeFindingsById(
  q: Q,
  ids: readonly number[],
  o: { reason: string; at: string },
): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const r = await q
      .updateTable('vuln_findings')
      .set({ closed_at: o.at, close_reason: o.reason, updated_at: o.at })
      .where('id', 'in', ids.slice(i, i + CHUNK))
      .where('closed_at', 'is', null)
      .executeTakeFirst();
    n += Number(r.numUpdatedRows);
  }
  return n;
}

/**
 * Reopen findings a VEX statement closed (the analysis was revised): the same row, its
 * `opened_at` kept, so the time to remediate counts from when the finding was first opened and
 * the withdrawn VEX closure never counts as a remediation.
 */
export async function reopenVexClosedFindings(
  q: Q,
  ids: readonly number[],
  at: string,
): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const r = await q
      .updateTable('vuln_findings')
      .set({ closed_at: null, close_reason: null, closed_sbom_id: null, updated_at: at })
      .where('id', 'in', ids.slice(i, i + CHUNK))
      .where('close_reason', 'in', VEX_CLOSE_REASONS)
      .executeTakeFirst();
    n += Number(r.numUpdatedRows);
  }
  return n;
}

export interface OpenedFindingGroup {
  team: string;
  product: string;
  advisory_id: string;
  /** The releases (product versions) with a finding opened, comma-separated. */
  versions: string;
  opened_at: string;
}

/**
 * Findings opened at or after `since` and still open, one row per team, product and advisory:
 * what the owning team is told about (a `cve-published` trigger event).
 */
export async function openedFindingGroups(
  q: Q,
  since: string,
  limit = 10_000,
): Promise<OpenedFindingGroup[]> {
  const rows = await q
    .selectFrom('vuln_findings as f')
    .innerJoin('teams as t', 't.id', 'f.team_id')
    .innerJoin('products as p', 'p.id', 'f.product_id')
    .innerJoin('releases as r', 'r.id', 'f.release_id')
    .select(['t.name as team', 'p.name as product', 'f.advisory_id', 'r.version', 'f.opened_at'])
    .where('f.opened_at', '>=', since)
    .where('f.closed_at', 'is', null)
    .orderBy('f.id')
    .limit(limit)
    .execute();
  const groups = new Map<string, OpenedFindingGroup & { set: Set<string> }>();
  for (const r of rows) {
    const k = `${r.team}\u0000${r.product}\u0000${r.advisory_id}`;
    let g = groups.get(k);
    if (!g) {
      g = {
        team: r.team,
        product: r.product,
        advisory_id: r.advisory_id,
        versions: '',
        opened_at: r.opened_at,
        set: new Set(),
      };
      groups.set(k, g);
    }
    g.set.add(r.version);
  }
  return [...groups.values()].map(({ set, ...g }) => ({ ...g, versions: [...set].join(',') }));
}
