import { type Caller, requirePermission } from '../../access/index.js';
import type {
  AffectedView,
  VulnerabilityDetail,
  VulnerabilityPage,
  VulnerabilityView,
} from '../../api/index.js';
import {
  type AdvisoryRow,
  advisoriesById,
  advisoryFigures,
  advisoryVersions,
  exploitInfo,
  feeds,
  findAdvisory,
} from '../../store/advisories.js';
import {
  advisoryIdsWithFindings,
  type FindingFilter,
  type FindingListRow,
  findingFigures,
  findingsOf,
} from '../../store/vuln-findings.js';
import { visibleTeamIds } from '../inventory/team-scope.js';
import type { Services } from '../services.js';
import { type FindingVex, vexOfFindings } from '../vex/index.js';
import { VulnServiceError } from './errors.js';

// The shapes are the API's own (src/api/vulnerabilities.ts), which the dashboard imports.
export type {
  AffectedView,
  VulnerabilityDetail,
  VulnerabilityPage,
  VulnerabilityView,
} from '../../api/index.js';

export interface VulnerabilityQuery {
  severity?: string;
  product?: string;
  id?: string;
  state?: string;
  limit?: string;
  cursor?: string;
}

const RATINGS = ['critical', 'high', 'medium', 'low', 'none', 'unknown'] as const;
const STATES = ['open', 'closed', 'all'] as const;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

/**
 * Advisories affecting the caller's teams, in id order, each with its affected releases,
 * artifacts and components (findings), severity, KEV and EPSS. Filters: `severity` (ratings,
 * comma-separated), `product`, `id` (an advisory id or alias), `state` (open, the default;
 * closed; all). Team-scoped: findings of other teams are neither listed nor counted.
 * @throws VulnServiceError VULN_QUERY_INVALID; AccessError AUTH_FORBIDDEN
 */
export async function listVulnerabilities(
  s: Services,
  caller: Caller,
  q: VulnerabilityQuery,
): Promise<VulnerabilityPage> {
  requirePermission(caller.principal, 'inventory:read');
  const filter: FindingFilter = { state: parseState(q.state) };
  const teamIds = await visibleTeamIds(s, caller);
  if (teamIds !== undefined) filter.teamIds = teamIds;
  if (q.product !== undefined) filter.product = q.product;
  if (q.severity !== undefined) filter.ratings = parseRatings(q.severity);
  if (q.id !== undefined) {
    const a = await findAdvisory(s.db.read, q.id);
    filter.advisoryIds = a ? [a.id] : [];
  }
  const limit = parseLimit(q.limit);
  if (q.cursor !== undefined && (q.cursor.length === 0 || q.cursor.length > 200))
    throw invalid('cursor must be the nextCursor of the previous page');
  const ids = await advisoryIdsWithFindings(s.db.read, filter, {
    limit: limit + 1,
    ...(q.cursor !== undefined ? { after: q.cursor } : {}),
  });
  const page = ids.slice(0, limit);
  return {
    generatedAt: s.clock().toISOString(),
    items: await views(s, page, filter),
    nextCursor: ids.length > limit ? (page[page.length - 1] as string) : null,
  };
}

/**
 * One advisory (by id or alias) with its history and every finding in the caller's teams, open
 * and closed. Advisories are shared data: one that affects none of the caller's teams is shown
 * with an empty `affected`.
 * @throws VulnServiceError VULN_ADVISORY_NOT_FOUND; AccessError AUTH_FORBIDDEN
 */
export async function vulnerabilityDetail(
  s: Services,
  caller: Caller,
  idOrAlias: string,
): Promise<VulnerabilityDetail> {
  requirePermission(caller.principal, 'inventory:read');
  const row = await findAdvisory(s.db.read, idOrAlias);
  if (!row)
    throw new VulnServiceError(
      'VULN_ADVISORY_NOT_FOUND',
      `No advisory ${idOrAlias.slice(0, 100)} (by id or alias) has been ingested; custody vuln ingest loads OSV records`,
    );
  const filter: FindingFilter = { state: 'all' };
  const teamIds = await visibleTeamIds(s, caller);
  if (teamIds !== undefined) filter.teamIds = teamIds;
  const [view] = await views(s, [row.id], filter, new Map([[row.id, row]]));
  const history = (await advisoryVersions(s.db.read, row.id)).map((v) => ({
    version: v.version_no,
    modified: v.modified,
    ingestedAt: v.ingested_at,
    affectedReadyAt: v.matched_at,
    changes: JSON.parse(v.changes) as unknown,
  }));
  return { ...(view as VulnerabilityView), history, record: JSON.parse(row.record) };
}

async function views(
  s: Services,
  ids: readonly string[],
  filter: FindingFilter,
  known?: Map<string, AdvisoryRow>,
): Promise<VulnerabilityView[]> {
  if (ids.length === 0) return [];
  const rows = known ?? (await advisoriesById(s.db.read, ids));
  const findings = await findingsOf(s.db.read, ids, filter);
  const byAdvisory = new Map<string, FindingListRow[]>();
  for (const f of findings) {
    const list = byAdvisory.get(f.advisory_id);
    if (list) list.push(f);
    else byAdvisory.set(f.advisory_id, [f]);
  }
  const cves = new Set<string>();
  const aliasesOf = new Map<string, string[]>();
  for (const id of ids) {
    const r = rows.get(id);
    const aliases = r ? (JSON.parse(r.aliases) as string[]) : [];
    aliasesOf.set(id, aliases);
    for (const x of [id, ...aliases]) if (x.startsWith('CVE-')) cves.add(x);
  }
  const { kev, epss } = await exploitInfo(s.db.read, [...cves]);
  const vex = await vexOfFindings(
    s.db.read,
    findings.map((f) => ({
      id: f.id,
      product_id: f.product_id,
      product: f.product,
      release: f.release,
      advisoryNames: [f.advisory_id, ...(aliasesOf.get(f.advisory_id) ?? [])],
    })),
  );
  return ids.flatMap((id) => {
    const r = rows.get(id);
    if (!r) return [];
    const aliases = aliasesOf.get(id) ?? [];
    const mine = [id, ...aliases].filter((x) => x.startsWith('CVE-'));
    const k = mine.map((c) => kev.get(c)).find((x) => x !== undefined);
    const e = mine
      .map((c) => ({ cve: c, v: epss.get(c) }))
      .filter((x) => x.v !== undefined)
      .sort((a, b) => (b.v?.epss ?? 0) - (a.v?.epss ?? 0))[0];
    const affected = (byAdvisory.get(id) ?? []).map((f) => affectedView(f, vex.get(f.id)));
    return [
      {
        id,
        aliases,
        summary: r.summary,
        modified: r.modified,
        published: r.published,
        withdrawn: r.withdrawn,
        severity: { score: numberOrNull(r.severity_score), rating: r.severity_rating },
        kev: k
          ? {
              cve: k.cve_id,
              dateAdded: k.date_added,
              dueDate: k.due_date,
              ransomware: k.ransomware,
            }
          : null,
        epss: e?.v ? { cve: e.cve, score: e.v.epss, percentile: e.v.percentile } : null,
        version: r.version_no,
        openFindings: affected.filter((a) => a.closedAt === null).length,
        affected,
      },
    ];
  });
}

function affectedView(f: FindingListRow, vex: FindingVex | undefined): AffectedView {
  return {
    finding: f.id,
    team: f.team,
    product: f.product,
    release: f.release,
    artifact: { digest: f.artifact_digest, name: f.artifact_name },
    sbom: f.sbom_id,
    component: f.purl,
    versions: JSON.parse(f.versions) as string[],
    fixed: f.fixed,
    severity: { score: numberOrNull(f.severity_score), rating: f.severity_rating },
    openedAt: f.opened_at,
    closedAt: f.closed_at,
    closeReason: f.close_reason,
    vex: vex ?? null,
  };
}

/** Organisation-wide figures for `/metrics` (the caller there is organisation-wide). */
export interface VulnerabilityFigures {
  openByRating: Record<string, number>;
  /** Findings of CVSS ≥ 7 (or rated high/critical without a score) closed as remediated. */
  remediation: { count: number; secondsSum: number; mttrSeconds: number | null };
  /** The same findings closed for other reasons (withdrawn, not affected), by reason. */
  closedOther: Record<string, number>;
  advisories: number;
  withdrawnAdvisories: number;
  /** Advisory versions ingested but not yet matched against the portfolio. */
  pendingAdvisoryVersions: number;
  /** Advisory ingest → affected list ready, over the advisory versions matched so far. */
  affectedReady: { count: number; secondsSum: number; secondsMax: number };
  feeds: { name: string; entries: number; ingestedAt: string }[];
}

/** Closing reasons that mean the software was fixed (the MTTR numerator counts these). */
export const REMEDIATED = ['fixed', 'vex_fixed'] as const;

export async function vulnerabilityFigures(s: Services): Promise<VulnerabilityFigures> {
  const f = await findingFigures(s.db.read);
  const a = await advisoryFigures(s.db.read);
  let count = 0;
  let sum = 0;
  const closedOther: Record<string, number> = {};
  for (const c of f.closedHigh) {
    if ((REMEDIATED as readonly string[]).includes(c.close_reason)) {
      count++;
      sum += Math.max(0, (Date.parse(c.closed_at) - Date.parse(c.opened_at)) / 1000);
    } else closedOther[c.close_reason] = (closedOther[c.close_reason] ?? 0) + 1;
  }
  const openByRating: Record<string, number> = {};
  for (const r of RATINGS) openByRating[r] = f.openByRating.get(r) ?? 0;
  return {
    openByRating,
    remediation: { count, secondsSum: sum, mttrSeconds: count > 0 ? sum / count : null },
    closedOther,
    advisories: a.advisories,
    withdrawnAdvisories: a.withdrawn,
    pendingAdvisoryVersions: a.pending,
    affectedReady: {
      count: a.readyCount,
      secondsSum: a.readySecondsSum,
      secondsMax: a.readySecondsMax,
    },
    feeds: (await feeds(s.db.read)).map((x) => ({
      name: x.name,
      entries: x.entries,
      ingestedAt: x.ingested_at,
    })),
  };
}

function numberOrNull(v: number | null): number | null {
  return v === null ? null : Number(v);
}

function parseState(v: string | undefined): FindingFilter['state'] {
  const state = v ?? 'open';
  if (!(STATES as readonly string[]).includes(state))
    throw invalid(`state must be one of ${STATES.join(', ')}`);
  return state as FindingFilter['state'];
}

function parseRatings(v: string): string[] {
  const out = v.split(',').map((x) => x.trim().toLowerCase());
  for (const r of out)
    if (!(RATINGS as readonly string[]).includes(r))
      throw invalid(`severity takes ratings (${RATINGS.join(', ')}), comma-separated`);
  return out;
}

function parseLimit(v: string | undefined): number {
  if (v === undefined) return DEFAULT_LIMIT;
  if (!/^[0-9]{1,4}$/.test(v) || Number(v) < 1 || Number(v) > MAX_LIMIT)
    throw invalid(`limit must be 1–${MAX_LIMIT}`);
  return Number(v);
}

function invalid(message: string): VulnServiceError {
  return new VulnServiceError('VULN_QUERY_INVALID', `vulnerabilities: ${message}`);
}
