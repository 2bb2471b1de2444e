import { type Insertable, type Selectable, sql } from 'kysely';
import type { Q } from './db.js';
import type { Database } from './schema.js';

/**
 * Admission governance's rows: namespace configuration (a version per change), clusters and their
 * credentials, exceptions and overrides with their approvals, upstream health probes, and the
 * generation every write bumps.
 */

export type AdmissionNamespaceRow = Selectable<Database['admission_namespaces']>;
export type AdmissionExceptionRow = Selectable<Database['admission_exceptions']>;
export type ExceptionApprovalRow = Selectable<Database['admission_exception_approvals']>;
export type AdmissionOverrideRow = Selectable<Database['admission_overrides']>;
export type OverrideApprovalRow = Selectable<Database['admission_override_approvals']>;
export type HealthProbeRow = Selectable<Database['upstream_health_probes']>;

// --- generation ---

/** Bump the generation inside a write's transaction. */
export async function bumpGovernanceGeneration(q: Q): Promise<void> {
  await q
    .updateTable('admission_governance_generation')
    .set({ generation: sql`generation + 1` })
    .where('id', '=', 1)
    .execute();
}

export async function readGovernanceGeneration(q: Q): Promise<number> {
  const r = await q
    .selectFrom('admission_governance_generation')
    .select('generation')
    .where('id', '=', 1)
    .executeTakeFirst();
  return Number(r?.generation ?? 0);
}

// --- namespaces ---

export async function latestNamespaceConfig(
  q: Q,
  cluster: string,
  namespace: string,
): Promise<AdmissionNamespaceRow | undefined> {
  return q
    .selectFrom('admission_namespaces')
    .selectAll()
    .where('namespace', '=', namespace)
    .where('cluster', '=', cluster)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The newest version for `cluster` and for `*`, in one indexed query: cluster-specific first. */
export async function effectiveNamespaceRows(
  q: Q,
  cluster: string | undefined,
  namespace: string,
): Promise<AdmissionNamespaceRow[]> {
  const clusters = cluster === undefined || cluster === '*' ? ['*'] : [cluster, '*'];
  const rows = await q
    .selectFrom('admission_namespaces')
    .selectAll()
    .where('namespace', '=', namespace)
    .where('cluster', 'in', clusters)
    .where(({ eb, selectFrom }) =>
      eb(
        'version',
        '=',
        selectFrom('admission_namespaces as n2')
          .select(({ fn }) => fn.max('n2.version').as('v'))
          .whereRef('n2.namespace', '=', 'admission_namespaces.namespace')
          .whereRef('n2.cluster', '=', 'admission_namespaces.cluster'),
      ),
    )
    .execute();
  return rows.sort((a, b) => (a.cluster === '*' ? 1 : 0) - (b.cluster === '*' ? 1 : 0));
}

export async function insertNamespaceConfig(
  q: Q,
  r: Omit<Insertable<Database['admission_namespaces']>, 'id'>,
): Promise<void> {
  await q.insertInto('admission_namespaces').values(r).execute();
}

/** The newest version of every configured (cluster, namespace); `teams` limits to those teams. */
export async function listNamespaceConfigs(
  q: Q,
  o: { teams?: readonly string[]; cluster?: string; limit: number },
): Promise<AdmissionNamespaceRow[]> {
  let query = q
    .selectFrom('admission_namespaces')
    .selectAll()
    .where(({ eb, selectFrom }) =>
      eb(
        'version',
        '=',
        selectFrom('admission_namespaces as n2')
          .select(({ fn }) => fn.max('n2.version').as('v'))
          .whereRef('n2.namespace', '=', 'admission_namespaces.namespace')
          .whereRef('n2.cluster', '=', 'admission_namespaces.cluster'),
      ),
    );
  if (o.teams !== undefined) {
    if (o.teams.length === 0) return [];
    query = query.where('team', 'in', [...o.teams]);
  }
  if (o.cluster !== undefined) query = query.where('cluster', '=', o.cluster);
  return query.orderBy('namespace').orderBy('cluster').limit(o.limit).execute();
}

export async function namespaceConfigHistory(
  q: Q,
  cluster: string,
  namespace: string,
): Promise<AdmissionNamespaceRow[]> {
  return q
    .selectFrom('admission_namespaces')
    .selectAll()
    .where('namespace', '=', namespace)
    .where('cluster', '=', cluster)
    .orderBy('version', 'desc')
    .execute();
}

// --- clusters ---

export async function insertCluster(
  q: Q,
  r: { name: string; created_by: string; created_at: string },
): Promise<number> {
  const row = await q
    .insertInto('admission_clusters')
    .values(r)
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertClusterCredential(
  q: Q,
  r: Omit<Insertable<Database['admission_cluster_credentials']>, 'id'>,
): Promise<void> {
  await q.insertInto('admission_cluster_credentials').values(r).execute();
}

export async function findClusterByName(q: Q, name: string) {
  return q.selectFrom('admission_clusters').selectAll().where('name', '=', name).executeTakeFirst();
}

/** The cluster a credential (by kind and SHA-256 hex) belongs to. */
export async function clusterByCredential(
  q: Q,
  kind: 'cert-sha256' | 'token-sha256',
  value: string,
): Promise<string | undefined> {
  const r = await q
    .selectFrom('admission_cluster_credentials as k')
    .innerJoin('admission_clusters as c', 'c.id', 'k.cluster_id')
    .select('c.name')
    .where('k.kind', '=', kind)
    .where('k.value', '=', value)
    .executeTakeFirst();
  return r?.name;
}

export async function listClusters(q: Q): Promise<
  {
    name: string;
    created_by: string;
    created_at: string;
    credentials: { kind: string; value: string }[];
  }[]
> {
  const clusters = await q.selectFrom('admission_clusters').selectAll().orderBy('name').execute();
  const creds = await q
    .selectFrom('admission_cluster_credentials')
    .select(['cluster_id', 'kind', 'value'])
    .orderBy('id')
    .execute();
  return clusters.map((c) => ({
    name: c.name,
    created_by: c.created_by,
    created_at: c.created_at,
    credentials: creds
      .filter((k) => k.cluster_id === c.id)
      .map((k) => ({ kind: k.kind, value: k.value })),
  }));
}

// --- exceptions ---

export async function insertException(
  q: Q,
  r: Omit<Insertable<Database['admission_exceptions']>, 'id' | 'revoked_at' | 'revoked_by'>,
): Promise<number> {
  const row = await q
    .insertInto('admission_exceptions')
    .values(r)
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findException(q: Q, id: number): Promise<AdmissionExceptionRow | undefined> {
  return q.selectFrom('admission_exceptions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function exceptionApprovals(
  q: Q,
  ids: readonly number[],
): Promise<ExceptionApprovalRow[]> {
  if (ids.length === 0) return [];
  return q
    .selectFrom('admission_exception_approvals')
    .selectAll()
    .where('exception_id', 'in', [...ids])
    .orderBy('id')
    .execute();
}

export async function insertExceptionApproval(
  q: Q,
  r: Omit<Insertable<Database['admission_exception_approvals']>, 'id'>,
): Promise<void> {
  await q.insertInto('admission_exception_approvals').values(r).execute();
}

export async function revokeException(q: Q, id: number, by: string, at: string): Promise<boolean> {
  const r = await q
    .updateTable('admission_exceptions')
    .set({ revoked_at: at, revoked_by: by })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Exceptions newest first. `unexpiredAt`: only those whose expiry is after it and not revoked
 * (what the admission read wants: expiry is filtered here, so no job turns them off).
 */
export async function listExceptions(
  q: Q,
  o: {
    namespace?: string;
    teams?: readonly string[];
    unexpiredAt?: string;
    limit: number;
  },
): Promise<AdmissionExceptionRow[]> {
  let query = q.selectFrom('admission_exceptions').selectAll();
  if (o.namespace !== undefined) query = query.where('namespace', '=', o.namespace);
  if (o.teams !== undefined) {
    if (o.teams.length === 0) return [];
    query = query.where('team', 'in', [...o.teams]);
  }
  if (o.unexpiredAt !== undefined)
    query = query.where('expires_at', '>', o.unexpiredAt).where('revoked_at', 'is', null);
  return query.orderBy('id', 'desc').limit(o.limit).execute();
}

// --- overrides ---

export async function insertOverride(
  q: Q,
  r: Omit<
    Insertable<Database['admission_overrides']>,
    'id' | 'reverted_at' | 'revert_reason' | 'revoked_at' | 'revoked_by'
  >,
): Promise<number> {
  const row = await q
    .insertInto('admission_overrides')
    .values(r)
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findOverride(q: Q, id: number): Promise<AdmissionOverrideRow | undefined> {
  return q.selectFrom('admission_overrides').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function overrideApprovals(
  q: Q,
  ids: readonly number[],
): Promise<OverrideApprovalRow[]> {
  if (ids.length === 0) return [];
  return q
    .selectFrom('admission_override_approvals')
    .selectAll()
    .where('override_id', 'in', [...ids])
    .orderBy('id')
    .execute();
}

export async function insertOverrideApproval(
  q: Q,
  r: Omit<Insertable<Database['admission_override_approvals']>, 'id'>,
): Promise<void> {
  await q.insertInto('admission_override_approvals').values(r).execute();
}

/** End an override early; `how` says whether it was revoked or reverted (and why). */
export async function endOverride(
  q: Q,
  id: number,
  how: { revokedBy: string } | { revertReason: string },
  at: string,
): Promise<boolean> {
  const r = await q
    .updateTable('admission_overrides')
    .set(
      'revokedBy' in how
        ? { revoked_at: at, revoked_by: how.revokedBy }
        : { reverted_at: at, revert_reason: how.revertReason },
    )
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .where('reverted_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Overrides newest first; `unexpiredAt`: not expired, revoked or reverted at that time. */
export async function listOverrides(
  q: Q,
  o: { unexpiredAt?: string; limit: number },
): Promise<AdmissionOverrideRow[]> {
  let query = q.selectFrom('admission_overrides').selectAll();
  if (o.unexpiredAt !== undefined)
    query = query
      .where('expires_at', '>', o.unexpiredAt)
      .where('revoked_at', 'is', null)
      .where('reverted_at', 'is', null);
  return query.orderBy('id', 'desc').limit(o.limit).execute();
}

// --- health probes ---

/** Probes are kept this long: enough for any revert window (at most 24 h). */
export const PROBE_RETENTION_MS = 48 * 3600_000;

/** Record a probe and drop that upstream's probes older than the retention. */
export async function insertHealthProbe(
  q: Q,
  p: { upstream: string; at: string; healthy: boolean; detail: string | null },
): Promise<void> {
  await q
    .insertInto('upstream_health_probes')
    .values({ upstream: p.upstream, at: p.at, healthy: p.healthy ? 1 : 0, detail: p.detail })
    .execute();
  const cutoff = new Date(Date.parse(p.at) - PROBE_RETENTION_MS).toISOString();
  await q
    .deleteFrom('upstream_health_probes')
    .where('upstream', '=', p.upstream)
    .where('at', '<', cutoff)
    .execute();
}

/** Probes since `since` (inclusive), newest first; `upstreams` limits to those. */
export async function listHealthProbes(
  q: Q,
  o: { upstreams?: readonly string[]; since?: string; limit: number },
): Promise<HealthProbeRow[]> {
  let query = q.selectFrom('upstream_health_probes').selectAll();
  if (o.upstreams !== undefined) {
    if (o.upstreams.length === 0) return [];
    query = query.where('upstream', 'in', [...o.upstreams]);
  }
  if (o.since !== undefined) query = query.where('at', '>=', o.since);
  return query.orderBy('at', 'desc').orderBy('id', 'desc').limit(o.limit).execute();
}
