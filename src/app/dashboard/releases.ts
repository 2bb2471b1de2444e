import { type Caller, requirePermission } from '../../access/index.js';
import type { Page, PortfolioRelease } from '../../api/index.js';
import { assessSlsaLevel } from '../../policy/index.js';
import { findProduct } from '../../store/catalogue.js';
import {
  artifactsOfReleases,
  attestationsOfReleases,
  currentSbomsOfReleases,
  productIdsMatching,
  type ReleaseListRow,
  type ReleaseSort,
  releasePage,
  teamSettings,
} from '../../store/dashboard.js';
import { openFindingsOfArtifacts } from '../../store/dashboard-findings.js';
import type { Q } from '../../store/db.js';
import { visibleTeamIds } from '../inventory/team-scope.js';
import { provenanceEvidence } from '../provenance/assess-release.js';
import { isSlsaProvenance } from '../provenance/read-provenance.js';
import { buildersOf, slsaSettingsOf } from '../provenance/slsa-settings.js';
import type { Services } from '../services.js';
import { ageDays, DEFAULT_JUDGE, freshnessOf, teamJudges } from './freshness.js';
import { addSeverity, decodeCursor, encodeCursor, invalid, limitOf, noFindings } from './query.js';

export interface ReleaseListQuery {
  limit?: string;
  cursor?: string;
  team?: string;
  product?: string;
  q?: string;
  sort?: string;
  deployed?: string;
}

const SORTS: readonly ReleaseSort[] = ['newest', 'oldest', 'product'];
export const RELEASES_DEFAULT_LIMIT = 50;
export const RELEASES_MAX_LIMIT = 200;

/**
 * The portfolio table: releases in the caller's teams, newest first by default, one page with
 * each release's coverage, SLSA level, freshness against its team's SLA, quality and open
 * findings. `team`, `product` (exact names) and `q` (part of a product name) narrow it.
 * @throws InventoryError INVENTORY_QUERY_INVALID; AccessError AUTH_FORBIDDEN
 */
export async function listPortfolioReleases(
  s: Services,
  caller: Caller,
  query: ReleaseListQuery,
): Promise<Page<PortfolioRelease>> {
  requirePermission(caller.principal, 'inventory:read');
  const sort = (query.sort ?? 'newest') as ReleaseSort;
  if (!SORTS.includes(sort)) throw invalid(`sort is one of ${SORTS.join(', ')}`, 'sort');
  const limit = limitOf(query.limit, RELEASES_DEFAULT_LIMIT, RELEASES_MAX_LIMIT);
  const cursor = decodeCursor(query.cursor, ['number', 'string'] as const);
  const deployed =
    query.deployed === undefined || query.deployed === ''
      ? undefined
      : query.deployed === 'true'
        ? true
        : query.deployed === 'false'
          ? false
          : (() => {
              throw invalid('deployed is true or false', 'deployed');
            })();
  const db = s.db.read;
  let teamIds = await visibleTeamIds(s, caller);
  if (query.team !== undefined && query.team !== '') {
    const team = await db
      .selectFrom('teams')
      .select('id')
      .where('name', '=', query.team)
      .executeTakeFirst();
    // A team out of scope answers as an unknown one: an empty page.
    const id = team ? Number(team.id) : -1;
    teamIds = teamIds === undefined || teamIds.includes(id) ? [id] : [];
  }
  let productIds: number[] | undefined;
  if (query.product !== undefined && query.product !== '') {
    const p = await findProduct(db, query.product);
    productIds = p ? [p.id] : [];
  }
  if (query.q !== undefined && query.q.trim() !== '') {
    const matching = await productIdsMatching(db, query.q.trim(), teamIds);
    productIds = productIds ? productIds.filter((id) => matching.includes(id)) : matching;
  }
  const rows = await releasePage(db, {
    teamIds,
    productIds,
    deployed,
    sort,
    after: cursor ? { id: cursor[0], product: cursor[1] } : undefined,
    limit,
  });
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return {
    items: await portfolioRows(db, page, s.clock()),
    nextCursor: more && last ? encodeCursor([last.id, last.product]) : null,
  };
}

/** The page's facts, read for its releases only (every query is by release or artifact id). */
export async function portfolioRows(
  db: Q,
  page: readonly ReleaseListRow[],
  now: Date,
): Promise<PortfolioRelease[]> {
  if (page.length === 0) return [];
  const releaseIds = page.map((r) => r.id);
  const [artifacts, sboms, attestations, teams] = await Promise.all([
    artifactsOfReleases(db, releaseIds),
    currentSbomsOfReleases(db, releaseIds),
    attestationsOfReleases(db, releaseIds),
    teamSettings(db, [...new Set(page.map((r) => r.team_id))]),
  ]);
  const findings = await openFindingsOfArtifacts(
    db,
    artifacts.map((a) => a.id),
  );
  const judges = teamJudges(teams);
  return page.map((r) => {
    const arts = artifacts.filter((a) => a.release_id === r.id);
    const current = sboms.filter((x) => x.release_id === r.id);
    const provenance = attestations.filter(
      (a) => a.release_id === r.id && isSlsaProvenance(a.predicate_type),
    );
    const newest = current.reduce<string | null>(
      (m, x) => (m === null || x.at > m ? x.at : m),
      null,
    );
    const open = noFindings();
    for (const f of findings) if (f.key === r.id) addSeverity(open, f.severity_rating, f.n);
    const team = teams.find((t) => t.id === r.team_id);
    const level =
      provenance.length === 0
        ? 0
        : assessSlsaLevel({
            artifacts: arts.map((a) => a.digest),
            provenance: provenance.map(provenanceEvidence),
            builders: buildersOf(slsaSettingsOf(team?.slsa_settings ?? null)),
            rebuilds: [],
          }).level;
    return {
      id: r.id,
      product: r.product,
      version: r.version,
      team: r.team,
      createdAt: r.created_at,
      deployed: r.deployed === 1,
      artifacts: arts.length,
      withSbom: new Set(current.map((x) => x.artifact_id)).size,
      withSignedSbom: new Set(current.filter((x) => x.signed === 1).map((x) => x.artifact_id)).size,
      withProvenance: new Set(provenance.map((a) => a.artifact_id)).size,
      slsaLevel: level,
      sbomAgeDays: ageDays(newest, now),
      freshness: freshnessOf(
        { createdAt: r.created_at, rebuiltAt: r.rebuilt_at, newest },
        (judges.get(r.team_id) ?? DEFAULT_JUDGE).sla,
        now,
      ),
      qualityScore:
        current.length === 0
          ? null
          : Math.round(current.reduce((n, x) => n + x.quality_score, 0) / current.length) / 10,
      openFindings: open,
    };
  });
}
