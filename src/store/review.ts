import type { Q } from './db.js';

/** The queries of the scheduled review (Pattern 3): read-only, over the caller's teams. */

export interface ReviewProductRow {
  id: number;
  name: string;
  team_id: number;
  team: string;
  /** When its newest SBOM was stored; null: none yet. */
  last_sbom_at: string | null;
}

/** Products of the teams (undefined: every team), each with the time of its newest SBOM. */
export async function reviewProducts(
  q: Q,
  teamIdsIn: readonly number[] | undefined,
): Promise<ReviewProductRow[]> {
  if (teamIdsIn !== undefined && teamIdsIn.length === 0) return [];
  let s = q
    .selectFrom('products as p')
    .innerJoin('teams as t', 't.id', 'p.team_id')
    .leftJoin('sboms as s', 's.product_id', 'p.id')
    .select((eb) => [
      'p.id',
      'p.name',
      'p.team_id',
      't.name as team',
      eb.fn.max<string | null>('s.created_at').as('last_sbom_at'),
    ])
    .groupBy(['p.id', 'p.name', 'p.team_id', 't.name'])
    .orderBy('p.name');
  if (teamIdsIn !== undefined) s = s.where('p.team_id', 'in', teamIdsIn);
  return s.execute();
}

export interface ReviewEventRow {
  id: number;
  kind: string;
  product: string | null;
  team: string;
  context: string | null;
  received_at: string;
}

/**
 * Events of the teams that name a product, received after `after` (the product's last SBOM: the
 * caller filters per product), oldest first; at most `limit`.
 */
export async function reviewEvents(
  q: Q,
  teamIdsIn: readonly number[] | undefined,
  after: string,
  limit: number,
): Promise<ReviewEventRow[]> {
  if (teamIdsIn !== undefined && teamIdsIn.length === 0) return [];
  let s = q
    .selectFrom('trigger_events as e')
    .innerJoin('teams as t', 't.id', 'e.team_id')
    .select(['e.id', 'e.kind', 'e.product', 't.name as team', 'e.context', 'e.received_at'])
    .where('e.product', 'is not', null)
    // The matcher's cve-published events are advisory news, not changes to the software.
    .where('e.source', '!=', 'matcher')
    .where('e.received_at', '>', after)
    .orderBy('e.id')
    .limit(limit);
  if (teamIdsIn !== undefined) s = s.where('e.team_id', 'in', teamIdsIn);
  return s.execute();
}

export interface ReviewActionRow {
  id: number;
  event_id: number;
  kind: string;
  product: string | null;
  team: string;
  target: string;
  action: string;
  deadline: string | null;
  state: string;
  payload: string;
  source: string;
}

/** Actions not done (pending or failed) of the teams, oldest first: work still to do. */
export async function reviewOpenActions(
  q: Q,
  teamIdsIn: readonly number[] | undefined,
  limit: number,
): Promise<ReviewActionRow[]> {
  if (teamIdsIn !== undefined && teamIdsIn.length === 0) return [];
  let s = q
    .selectFrom('trigger_actions as a')
    .innerJoin('trigger_events as e', 'e.id', 'a.event_id')
    .innerJoin('teams as t', 't.id', 'e.team_id')
    .select([
      'a.id',
      'a.event_id',
      'e.kind',
      'e.product',
      't.name as team',
      'a.target',
      'a.action',
      'a.deadline',
      'a.state',
      'e.payload',
      'e.source',
    ])
    .where('a.state', 'in', ['pending', 'failed'])
    .orderBy('a.id')
    .limit(limit);
  if (teamIdsIn !== undefined) s = s.where('a.team_id', 'in', teamIdsIn);
  return s.execute();
}

export interface ReviewFindingRow {
  advisory_id: string;
  aliases: string;
  summary: string | null;
  severity_rating: string;
  version_no: number;
  first_seen_at: string;
  updated_at: string;
  withdrawn: string | null;
  product_id: number;
  product: string;
  team: string;
  release: string;
}

/**
 * The open findings of the teams for advisories ingested or changed at or after `since` (a new
 * version of the record stored since): which of the teams' releases each one affects.
 */
export async function reviewAdvisoryFindings(
  q: Q,
  teamIdsIn: readonly number[] | undefined,
  since: string,
  limit: number,
): Promise<ReviewFindingRow[]> {
  if (teamIdsIn !== undefined && teamIdsIn.length === 0) return [];
  let s = q
    .selectFrom('vuln_findings as f')
    .innerJoin('advisories as a', 'a.id', 'f.advisory_id')
    .innerJoin('products as p', 'p.id', 'f.product_id')
    .innerJoin('teams as t', 't.id', 'f.team_id')
    .innerJoin('releases as r', 'r.id', 'f.release_id')
    .select([
      'f.advisory_id',
      'a.aliases',
      'a.summary',
      'a.severity_rating',
      'a.version_no',
      'a.first_seen_at',
      'a.updated_at',
      'a.withdrawn',
      'f.product_id',
      'p.name as product',
      't.name as team',
      'r.version as release',
    ])
    .where('f.closed_at', 'is', null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('advisory_versions as v')
          .select('v.id')
          .whereRef('v.advisory_id', '=', 'f.advisory_id')
          .where('v.ingested_at', '>=', since),
      ),
    )
    .orderBy('f.advisory_id')
    .orderBy('p.name')
    .orderBy('r.version')
    .limit(limit);
  if (teamIdsIn !== undefined) s = s.where('f.team_id', 'in', teamIdsIn);
  return s.execute();
}

/** How many advisories were ingested or changed at or after `since` (portfolio-wide). */
export async function countAdvisoriesChangedSince(q: Q, since: string): Promise<number> {
  const r = await q
    .selectFrom('advisory_versions')
    .select((eb) => eb.fn.count<number>('advisory_id').distinct().as('n'))
    .where('ingested_at', '>=', since)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export interface ReviewStatementRow {
  product_id: number;
  vulnerability: string;
  status: string;
  updated_at: string;
}

/** The VEX statements of these products (to tell "draft" from "update"). */
export async function reviewStatements(
  q: Q,
  productIds: readonly number[],
): Promise<ReviewStatementRow[]> {
  if (productIds.length === 0) return [];
  return q
    .selectFrom('vex_statements')
    .select(['product_id', 'vulnerability', 'status', 'updated_at'])
    .where('product_id', 'in', productIds)
    .execute();
}
