import { type Caller, requirePermission } from '../../access/index.js';
import { teamIds } from '../../store/catalogue.js';
import {
  countAdvisoriesChangedSince,
  type ReviewActionRow,
  reviewAdvisoryFindings,
  reviewEvents,
  reviewOpenActions,
  reviewProducts,
  reviewStatements,
} from '../../store/review.js';
import type { Services } from '../services.js';
import { TriggerIntakeError } from './errors.js';
import type { IntakeEvent } from './ports.js';

/** The scheduled review (Pattern 3): what changed, and the SBOM and VEX work it calls for. */
export interface Review {
  since: string;
  generatedAt: string;
  products: ReviewProduct[];
  advisories: ReviewAdvisory[];
  /** Advisories ingested or changed since, portfolio-wide, whether or not they affect a product. */
  advisoriesChanged: number;
  work: { sboms: SbomWork[]; vex: VexWork[] };
  /** A list was cut at its limit: narrow `since` or work through the list first. */
  truncated: boolean;
}

export interface ReviewProduct {
  product: string;
  team: string;
  /** When its newest SBOM was stored; null: none yet. */
  lastSbomAt: string | null;
  /** Events stored for it since its last SBOM (all of them when it has none), oldest first. */
  changes: { eventId: number; kind: string; receivedAt: string; context: string | null }[];
  /** Releases (and lockfile changes) whose SBOM obligation no push has met yet. */
  withoutSbom: SbomWork[];
}

export interface ReviewAdvisory {
  id: string;
  aliases: string[];
  summary: string | null;
  severity: string;
  /** `new`: first ingested since; `changed`: a new version of a record known before. */
  change: 'new' | 'changed';
  withdrawn: boolean;
  updatedAt: string;
  products: { product: string; team: string; releases: string[] }[];
}

export interface SbomWork {
  product: string | null;
  team: string;
  eventId: number;
  actionId: number;
  kind: string;
  action: string;
  version?: string;
  commit?: string;
  digest?: string;
  deadline: string | null;
  overdue: boolean;
}

export interface VexWork {
  product: string;
  team: string;
  vulnerability: string;
  /**
   * `draft`: no statement yet; `update`: the advisory changed after the statement did; `analyse`:
   * the statement is still `under_investigation` (a draft to finish); else the trigger action's
   * own (`update-status`, …).
   */
  action: string;
  /** The current statement's status, when there is one. */
  status: string | null;
  /** The trigger event that asked for it, when one did. */
  eventId?: number;
  deadline?: string | null;
}

const LIMIT = 5000;

/**
 * Per product in the caller's teams: the events stored since its last SBOM and the releases still
 * without one; the advisories ingested or changed since `since` with the products they affect
 * (open findings); and the work batched from both: SBOMs to generate (pending `sbom` actions,
 * the obligations of release and lockfile events) and VEX statements to draft (an affected
 * product without one) or update (the advisory changed after the statement, or a pending `vex`
 * action asks for it).
 * @throws TriggerIntakeError REVIEW_SINCE_INVALID; AccessError AUTH_FORBIDDEN
 */
export async function scheduledReview(s: Services, caller: Caller, since: string): Promise<Review> {
  requirePermission(caller.principal, 'inventory:read');
  const sinceMs = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(since)
    ? Date.parse(since)
    : Number.NaN;
  if (Number.isNaN(sinceMs)) {
    throw new TriggerIntakeError(
      'REVIEW_SINCE_INVALID',
      `since must be a date (2026-12-01) or an RFC 3339 date-time, got ${JSON.stringify(since.slice(0, 60))}`,
    );
  }
  const sinceIso = new Date(sinceMs).toISOString();
  const db = s.db.read;
  const now = s.clock().toISOString();
  const teams = caller.principal.teams;
  const ids = teams === undefined ? undefined : await teamIds(db, teams);

  const products = await reviewProducts(db, ids);
  const oldest = products.reduce<string>(
    (m, p) => (p.last_sbom_at === null || p.last_sbom_at < m ? (p.last_sbom_at ?? '') : m),
    now,
  );
  const events = await reviewEvents(db, ids, oldest, LIMIT);
  const actions = await reviewOpenActions(db, ids, LIMIT);
  const findings = await reviewAdvisoryFindings(db, ids, sinceIso, LIMIT);
  const statements = await reviewStatements(
    db,
    products.map((p) => p.id),
  );
  const truncated = events.length >= LIMIT || actions.length >= LIMIT || findings.length >= LIMIT;

  const sbomWork = actions.filter((a) => a.target === 'sbom').map((a) => sbomWorkOf(a, now));
  const out: ReviewProduct[] = products.map((p) => ({
    product: p.name,
    team: p.team,
    lastSbomAt: p.last_sbom_at,
    changes: events
      .filter(
        (e) => e.product === p.name && (p.last_sbom_at === null || e.received_at > p.last_sbom_at),
      )
      .map((e) => ({
        eventId: e.id,
        kind: e.kind,
        receivedAt: e.received_at,
        context: e.context,
      })),
    withoutSbom: sbomWork.filter((w) => w.product === p.name),
  }));

  const advisories = new Map<string, ReviewAdvisory>();
  for (const f of findings) {
    let a = advisories.get(f.advisory_id);
    if (!a) {
      a = {
        id: f.advisory_id,
        aliases: JSON.parse(f.aliases) as string[],
        summary: f.summary,
        severity: f.severity_rating,
        change: f.first_seen_at >= sinceIso ? 'new' : 'changed',
        withdrawn: f.withdrawn !== null,
        updatedAt: f.updated_at,
        products: [],
      };
      advisories.set(f.advisory_id, a);
    }
    let p = a.products.find((x) => x.product === f.product);
    if (!p) {
      p = { product: f.product, team: f.team, releases: [] };
      a.products.push(p);
    }
    if (!p.releases.includes(f.release)) p.releases.push(f.release);
  }

  const vex: VexWork[] = [];
  const seen = new Set<string>();
  for (const f of findings) {
    const key = `${f.product_id}\u0000${f.advisory_id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const names = [f.advisory_id, ...(JSON.parse(f.aliases) as string[])];
    const st = statements.find(
      (x) => x.product_id === f.product_id && names.includes(x.vulnerability),
    );
    const action =
      st === undefined
        ? 'draft'
        : st.updated_at < f.updated_at
          ? 'update'
          : st.status === 'under_investigation'
            ? 'analyse'
            : undefined;
    if (action === undefined) continue; // a statement that already answers this version
    vex.push({
      product: f.product,
      team: f.team,
      vulnerability: st?.vulnerability ?? f.advisory_id,
      action,
      status: st?.status ?? null,
    });
  }
  // The matcher's own events name advisories the findings above already turned into work.
  for (const a of actions.filter((x) => x.target === 'vex' && x.source !== 'matcher')) {
    const ev = detailsOf(a.payload);
    const vuln = ev['vulnerability'] ?? ev['cve'] ?? ev['advisory'] ?? ev['id'];
    vex.push({
      product: a.product ?? '',
      team: a.team,
      vulnerability: typeof vuln === 'string' ? vuln : '',
      action: a.action,
      status: null,
      eventId: a.event_id,
      deadline: a.deadline,
    });
  }
  return {
    since: sinceIso,
    generatedAt: now,
    products: out,
    advisories: [...advisories.values()],
    advisoriesChanged: await countAdvisoriesChangedSince(db, sinceIso),
    work: { sboms: sbomWork, vex },
    truncated,
  };
}

function sbomWorkOf(a: ReviewActionRow, now: string): SbomWork {
  const ev = detailsOf(a.payload);
  const str = (k: string) => (typeof ev[k] === 'string' ? { [k]: ev[k] as string } : {});
  return {
    product: a.product,
    team: a.team,
    eventId: a.event_id,
    actionId: a.id,
    kind: a.kind,
    action: a.action,
    ...str('version'),
    ...str('commit'),
    ...str('digest'),
    deadline: a.deadline,
    overdue: a.deadline !== null && a.deadline < now,
  };
}

/** The engine's own reading of a stored event (seed 001: the TriggerEvent), or `{}`. */
function detailsOf(payload: string): Record<string, unknown> {
  const e = JSON.parse(payload) as IntakeEvent;
  const inner = e.details?.['event'];
  return typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : {};
}
