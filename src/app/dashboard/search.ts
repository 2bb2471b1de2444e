import { type Caller, requirePermission } from '../../access/index.js';
import type { SearchAnswer, SearchRelease } from '../../api/index.js';
import { isCustodyError, parsePurl } from '../../core/index.js';
import { type ComponentMatch, parseComponentQuery } from '../../inventory/index.js';
import {
  matchingComponentsOfReleases,
  releaseHeads,
  releaseIdsByName,
  releasesWithPackages,
} from '../../store/dashboard-release.js';
import { packageIdsFor } from '../../store/search.js';
import { visibleTeamIds } from '../inventory/team-scope.js';
import type { Services } from '../services.js';
import { vulnerabilityDetail } from '../vulnerabilities/read-vulnerabilities.js';
import { decodeCursor, encodeCursor, invalid, limitOf } from './query.js';

export interface DashboardSearchQuery {
  q?: string;
  limit?: string;
  cursor?: string;
}

// OSV id prefixes (and CVE): `PREFIX-…` with a digit somewhere after it.
const VULN_ID =
  /^(CVE|GHSA|PYSEC|GO|RUSTSEC|OSV|MAL|GSD|DSA|DLA|DTSA|USN|RHSA|RHBA|RHEA|ALSA|ALBA|ALEA|BIT|CURL|UVI|OESA|PSF|RXSA|LBSEC|CGA|HSEC|ELA|MGASA|SUSE-SU|openSUSE-SU|x_[A-Za-z0-9]+)-[A-Za-z0-9._:-]*\d[A-Za-z0-9._:-]*$/i;

/**
 * The search box: a purl (`pkg:npm/lodash@4.17.21`, with or without version), `name@version`,
 * `name version`, a bare name, or a vulnerability id (CVE, GHSA, any OSV id or alias) → the
 * releases in the caller's teams that hold it, newest first; for a vulnerability, every affected
 * release with its VEX status. Components are found through the inventory's own query parser
 * and index (inventory/query.ts, store/search.ts); vulnerabilities through the vulnerability
 * detail (app/vulnerabilities) with its VEX lookup.
 * @throws InventoryError INVENTORY_QUERY_INVALID; AccessError AUTH_FORBIDDEN
 */
export async function dashboardSearch(
  s: Services,
  caller: Caller,
  query: DashboardSearchQuery,
): Promise<SearchAnswer> {
  requirePermission(caller.principal, 'inventory:read');
  const text = (query.q ?? '').trim();
  if (text === '') throw invalid('q names a purl, name@version, name, or CVE/GHSA id', 'q');
  if (text.length > 300) throw invalid('q is at most 300 characters', 'q');
  const limit = limitOf(query.limit, 50, 200);
  const before = decodeCursor(query.cursor, ['number'] as const)?.[0];
  if (VULN_ID.test(text)) return vulnerabilitySearch(s, caller, text, limit, before);
  const { kind, match } = componentMatch(text);
  const db = s.db.read;
  const packageIds = await packageIdsFor(db, match as Parameters<typeof packageIdsFor>[1]);
  const filter = {
    packageIds,
    versions: 'version' in match && match.version !== undefined ? [match.version] : undefined,
    purl: match.by === 'purl' ? match.purl : undefined,
  };
  const ids = await releasesWithPackages(db, {
    ...filter,
    teamIds: await visibleTeamIds(s, caller),
    before,
    limit,
  });
  const more = ids.length > limit;
  const page = more ? ids.slice(0, limit) : ids;
  const [heads, components] = await Promise.all([
    releaseHeads(db, page),
    matchingComponentsOfReleases(db, page, filter),
  ]);
  const releases = page.flatMap((id): SearchRelease[] => {
    const h = heads.find((x) => x.id === id);
    if (!h) return [];
    return [
      {
        releaseId: id,
        product: h.product,
        version: h.version,
        team: h.team,
        deployed: h.deployed === 1,
        components: components
          .filter((c) => c.release_id === id)
          .map((c) => ({ purl: c.purl ?? '', name: c.name, version: c.version })),
        vexStatus: null,
      },
    ];
  });
  return {
    query: text,
    kind,
    vulnerability: null,
    releases,
    nextCursor: more ? encodeCursor([page[page.length - 1] as number]) : null,
  };
}

/** What the text names, read by the inventory's own parser. */
function componentMatch(text: string): {
  kind: SearchAnswer['kind'];
  match: Extract<ComponentMatch, { by: 'purl' | 'name' }>;
} {
  let kind: SearchAnswer['kind'];
  let params: { purl?: string; name?: string; version?: string };
  if (text.startsWith('pkg:')) {
    kind = 'purl';
    params = { purl: text };
  } else {
    const space = /^(\S+)\s+(\S+)$/.exec(text);
    const at = text.lastIndexOf('@');
    if (space) {
      kind = 'name-version';
      params = { name: space[1] as string, version: space[2] as string };
    } else if (at > 0) {
      kind = 'name-version';
      params = { name: text.slice(0, at), version: text.slice(at + 1) };
    } else {
      kind = 'name';
      params = { name: text };
    }
  }
  let parsed: ReturnType<typeof parseComponentQuery>;
  try {
    parsed = parseComponentQuery(params);
  } catch (e) {
    if (isCustodyError(e)) throw invalid(e.message, 'q');
    throw e;
  }
  return { kind, match: parsed.match as Extract<ComponentMatch, { by: 'purl' | 'name' }> };
}

async function vulnerabilitySearch(
  s: Services,
  caller: Caller,
  id: string,
  limit: number,
  before: number | undefined,
): Promise<SearchAnswer> {
  let detail: Awaited<ReturnType<typeof vulnerabilityDetail>>;
  try {
    detail = await vulnerabilityDetail(s, caller, id);
  } catch (e) {
    if (isCustodyError(e) && e.code === 'VULN_ADVISORY_NOT_FOUND')
      return {
        query: id,
        kind: 'vulnerability',
        vulnerability: null,
        releases: [],
        nextCursor: null,
      };
    throw e;
  }
  const ids = await releaseIdsByName(
    s.db.read,
    detail.affected.map((a) => ({ product: a.product, version: a.release })),
  );
  const byRelease = new Map<number, SearchRelease>();
  for (const a of detail.affected) {
    const releaseId = ids.get(`${a.product}\u0000${a.release}`);
    if (releaseId === undefined) continue;
    const r = byRelease.get(releaseId) ?? {
      releaseId,
      product: a.product,
      version: a.release,
      team: a.team,
      deployed: false,
      components: [],
      vexStatus:
        a.vex?.status ?? (a.closeReason?.startsWith('vex_') ? a.closeReason.slice(4) : null),
    };
    if (!r.components.some((c) => c.purl === a.component))
      r.components.push({ purl: a.component, ...nameVersion(a.component) });
    byRelease.set(releaseId, r);
  }
  const all = [...byRelease.values()]
    .sort((a, b) => b.releaseId - a.releaseId)
    .filter((r) => before === undefined || r.releaseId < before);
  const page = all.slice(0, limit);
  const heads = await releaseHeads(
    s.db.read,
    page.map((r) => r.releaseId),
  );
  for (const r of page) r.deployed = heads.find((h) => h.id === r.releaseId)?.deployed === 1;
  const last = page[page.length - 1];
  return {
    query: id,
    kind: 'vulnerability',
    vulnerability: { id: detail.id, summary: detail.summary, severity: detail.severity.rating },
    releases: page,
    nextCursor: all.length > limit && last ? encodeCursor([last.releaseId]) : null,
  };
}

function nameVersion(purl: string): { name: string; version: string | null } {
  try {
    const p = parsePurl(purl);
    return { name: p.name, version: p.version ?? null };
  } catch {
    return { name: purl, version: null };
  }
}
