import type SqliteDatabase from 'better-sqlite3';
import { type Insertable, type Selectable, sql } from 'kysely';
import type { AdmissionDecision } from '../admission/types.js';
import { insertAuditEvent } from './audit.js';
import type { Dialect, Q } from './db.js';
import { bumpWriteGeneration } from './generation.js';
import type { Database } from './schema.js';

/**
 * Admission decisions and what they admitted (migration 0017). Writes come in batches (the
 * recorder's group commit): every statement below takes the whole batch, so a batch costs a
 * handful of statements and one commit however many decisions it holds.
 */

export type DecisionRow = Selectable<Database['admission_decisions']>;
export type DecisionImageRow = Selectable<Database['admission_decision_images']>;
export type DeploymentRow = Selectable<Database['admission_deployments']>;
export type ReconciliationRow = Selectable<Database['admission_reconciliations']>;

/** Longest text kept from a decision (messages are for people; the verdict is in the columns). */
const MAX_TEXT = 2000;
const MAX_WARNINGS = 50;
/** Rows per multi-row insert: under SQLite's 32766 bound parameters and PostgreSQL's 65535. */
const ROWS_PER_INSERT = 500;

/** What a batch wrote, beyond the decisions themselves. */
export interface RecordedBatch {
  /** Decision ids, in the order given. */
  ids: number[];
  /** Releases that this batch marked deployed (they were not before). */
  releasesDeployed: number[];
}

/**
 * Store decisions in the caller's transaction: each decision and its images; for identified,
 * allowed, non-dry-run decisions the deployments of their digests and the releases with an
 * artifact of that digest marked deployed (audited, and the search generation moved only then);
 * first denied / first admitted per digest; the hourly roll-up.
 */
export async function recordDecisions(
  trx: Q,
  dialect: Dialect,
  ds: readonly AdmissionDecision[],
  /**
   * What to record as deployed (and first admitted or denied): `ds` itself unless the caller
   * leaves out images whose deployment it wrote a moment ago (the recorder's refresh interval).
   */
  deployments: readonly AdmissionDecision[] = ds,
  /**
   * SQLite: the writer's own handle, whose open transaction `trx` is. The decisions and their
   * images then go in through cached prepared statements, a row at a time: building and binding
   * Kysely's multi-row inserts cost more than writing the rows (a tenth of the webhook's warm CPU
   * in `npm run bench -- admission`, on the event loop).
   */
  sqlite?: SqliteDatabase.Database,
): Promise<RecordedBatch> {
  if (sqlite !== undefined) {
    const ids = insertDecisionsSqlite(sqlite, ds);
    return finishBatch(trx, ds, deployments, ids);
  }
  // The ids are taken first, so that decisions and their images go in as multi-row inserts
  // (the order of RETURNING rows is not something either database promises).
  const ids = await nextDecisionIds(trx, dialect, ds.length);
  const images: Insertable<Database['admission_decision_images']>[] = [];
  const decisions = ds.map((d, k) => {
    const id = ids[k] as number;
    for (const i of d.images) images.push(imageRow(id, i));
    return { id, ...decisionRow(d) };
  });
  for (let k = 0; k < decisions.length; k += ROWS_PER_INSERT / 4)
    await trx
      .insertInto('admission_decisions')
      .values(decisions.slice(k, k + ROWS_PER_INSERT / 4))
      .execute();
  for (let k = 0; k < images.length; k += ROWS_PER_INSERT)
    await trx
      .insertInto('admission_decision_images')
      .values(images.slice(k, k + ROWS_PER_INSERT))
      .execute();
  return finishBatch(trx, ds, deployments, ids);
}

/** What every batch writes besides the decisions and their images (a statement or so each). */
async function finishBatch(
  trx: Q,
  ds: readonly AdmissionDecision[],
  deployments: readonly AdmissionDecision[],
  ids: number[],
): Promise<RecordedBatch> {
  await upsertDeployments(trx, deployments);
  await upsertFirsts(trx, deployments);
  await upsertHourly(trx, ds);
  const releasesDeployed = await markReleasesDeployed(trx, deployments);
  return { ids, releasesDeployed };
}

const DECISION_COLUMNS = [
  'id',
  'uid',
  'api',
  'cluster',
  'namespace',
  'workload',
  'operation',
  'dry_run',
  'mode',
  'mode_source',
  'override_id',
  'allowed',
  'degraded',
  'would_deny',
  'reasons',
  'message',
  'warnings',
  'at',
  'reconciled_at',
  'reconciliation',
] as const satisfies readonly (keyof Database['admission_decisions'])[];

const IMAGE_COLUMNS = [
  'decision_id',
  'image',
  'digest',
  'outcome',
  'reason',
  'message',
  'effect',
  'exception_id',
  'degraded',
  'degraded_via',
  'cached',
  'policy_name',
  'policy_version',
  'policy_digest',
] as const satisfies readonly (keyof Database['admission_decision_images'])[];

interface DecisionStatements {
  top: SqliteDatabase.Statement<[], { m: number | null }>;
  decision: SqliteDatabase.Statement<unknown[]>;
  image: SqliteDatabase.Statement<unknown[]>;
}

const statements = new WeakMap<SqliteDatabase.Database, DecisionStatements>();

function insertStatement(table: string, columns: readonly string[]): string {
  return `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`;
}

/**
 * The SQLite path: ids after the largest (the transaction is the database's only writer), then
 * one cached statement run per row. Must run inside the open transaction on `db`.
 */
function insertDecisionsSqlite(
  db: SqliteDatabase.Database,
  ds: readonly AdmissionDecision[],
): number[] {
  let st = statements.get(db);
  if (st === undefined) {
    st = {
      top: db.prepare('select max(id) as m from admission_decisions'),
      decision: db.prepare(insertStatement('admission_decisions', DECISION_COLUMNS)),
      image: db.prepare(insertStatement('admission_decision_images', IMAGE_COLUMNS)),
    };
    statements.set(db, st);
  }
  if (ds.length === 0) return [];
  const from = Number(st.top.get()?.m ?? 0) + 1;
  const ids: number[] = [];
  for (let k = 0; k < ds.length; k++) {
    const d = ds[k] as AdmissionDecision;
    const id = from + k;
    const row: Insertable<Database['admission_decisions']> = { id, ...decisionRow(d) };
    st.decision.run(DECISION_COLUMNS.map((c) => row[c] ?? null));
    for (const i of d.images) {
      const r = imageRow(id, i);
      st.image.run(IMAGE_COLUMNS.map((c) => r[c] ?? null));
    }
    ids.push(id);
  }
  return ids;
}

/**
 * `n` new decision ids. PostgreSQL: from the table's sequence (safe with concurrent writers).
 * SQLite: after the largest, inside the write transaction, which is the database's only writer.
 */
async function nextDecisionIds(trx: Q, dialect: Dialect, n: number): Promise<number[]> {
  if (n === 0) return [];
  if (dialect === 'postgres') {
    const r = await sql<{
      id: number;
    }>`select nextval(pg_get_serial_sequence('admission_decisions', 'id')) as id from generate_series(1, ${n})`.execute(
      trx,
    );
    return r.rows.map((x) => Number(x.id));
  }
  const top = await trx
    .selectFrom('admission_decisions')
    .select((eb) => eb.fn.max('id').as('m'))
    .executeTakeFirst();
  const from = Number(top?.m ?? 0) + 1;
  return Array.from({ length: n }, (_, k) => from + k);
}

/** A decision that records deployments: a known cluster, allowed, not a dry run. */
export function admits(d: AdmissionDecision): d is AdmissionDecision & { cluster: string } {
  return d.cluster !== undefined && d.allowed && !d.dryRun;
}

/** An image that enforce would have refused: it failed (policy or infrastructure), unwaived. */
export function wouldDeny(i: AdmissionDecision['images'][number]): boolean {
  return i.outcome !== 'pass' && i.effect !== 'allow-by-exception';
}

function decisionRow(d: AdmissionDecision): Insertable<Database['admission_decisions']> {
  const reasons = [
    ...new Set(d.images.flatMap((i) => (i.reason !== undefined ? [i.reason] : []))),
  ].sort();
  return {
    uid: clip(d.uid, 200),
    api: d.api,
    cluster: d.cluster ?? null,
    namespace: clip(d.namespace, 253),
    workload: clip(d.workload, 400),
    operation: clip(d.operation, 20),
    dry_run: d.dryRun ? 1 : 0,
    mode: d.mode,
    mode_source: d.modeSource,
    override_id: d.overrideId ?? null,
    allowed: d.allowed ? 1 : 0,
    degraded: d.degraded ? 1 : 0,
    would_deny: d.images.some(wouldDeny) ? 1 : 0,
    reasons: JSON.stringify(reasons),
    message: d.message === undefined ? null : clip(d.message, MAX_TEXT),
    warnings: JSON.stringify(d.warnings.slice(0, MAX_WARNINGS).map((w) => clip(w, MAX_TEXT))),
    at: d.at,
    reconciled_at: null,
    reconciliation: null,
  };
}

function imageRow(
  decisionId: number,
  i: AdmissionDecision['images'][number],
): Insertable<Database['admission_decision_images']> {
  return {
    decision_id: decisionId,
    image: clip(i.image, MAX_TEXT),
    digest: i.digest ?? null,
    outcome: i.outcome,
    reason: i.reason ?? null,
    message: clip(i.message, MAX_TEXT),
    effect: i.effect,
    exception_id: i.exceptionId ?? null,
    degraded: i.degraded === undefined ? null : JSON.stringify(i.degraded),
    degraded_via: i.degraded?.via ?? null,
    cached: i.cached ? 1 : 0,
    policy_name: i.policy?.name ?? null,
    policy_version: i.policy?.version ?? null,
    policy_digest: i.policy?.digest ?? null,
  };
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** Deployments of the batch, merged per (cluster, namespace, digest), in key order (no deadlocks). */
async function upsertDeployments(trx: Q, ds: readonly AdmissionDecision[]): Promise<void> {
  const rows = new Map<string, Insertable<Database['admission_deployments']>>();
  for (const d of ds) {
    if (!admits(d)) continue;
    for (const i of d.images) {
      if (i.digest === undefined) continue;
      const key = `${d.cluster}\u0000${d.namespace}\u0000${i.digest}`;
      const r = rows.get(key);
      if (r === undefined)
        rows.set(key, {
          cluster: d.cluster,
          namespace: d.namespace,
          digest: i.digest,
          image: clip(i.image, MAX_TEXT),
          first_admitted_at: d.at,
          last_admitted_at: d.at,
        });
      else {
        if (d.at < r.first_admitted_at) r.first_admitted_at = d.at;
        if (d.at >= r.last_admitted_at) {
          r.last_admitted_at = d.at;
          r.image = clip(i.image, MAX_TEXT);
        }
      }
    }
  }
  const sorted = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (let k = 0; k < sorted.length; k += ROWS_PER_INSERT)
    await trx
      .insertInto('admission_deployments')
      .values(sorted.slice(k, k + ROWS_PER_INSERT).map(([, r]) => r))
      .onConflict((oc) =>
        oc.columns(['cluster', 'namespace', 'digest']).doUpdateSet({
          first_admitted_at: sql`case when excluded.first_admitted_at < admission_deployments.first_admitted_at then excluded.first_admitted_at else admission_deployments.first_admitted_at end`,
          last_admitted_at: sql`case when excluded.last_admitted_at > admission_deployments.last_admitted_at then excluded.last_admitted_at else admission_deployments.last_admitted_at end`,
          image: sql`case when excluded.last_admitted_at >= admission_deployments.last_admitted_at then excluded.image else admission_deployments.image end`,
        }),
      )
      .execute();
}

/**
 * First denied and first admitted per digest, from identified callers' real (not dry-run)
 * requests only: what an unidentified caller sends is not a deployment.
 */
async function upsertFirsts(trx: Q, ds: readonly AdmissionDecision[]): Promise<void> {
  const rows = new Map<string, Database['admission_image_firsts']>();
  for (const d of ds) {
    if (d.cluster === undefined || d.dryRun) continue;
    for (const i of d.images) {
      if (i.digest === undefined) continue;
      const denied = !d.allowed && i.effect === 'deny';
      if (!denied && !d.allowed) continue;
      const r = rows.get(i.digest) ?? {
        digest: i.digest,
        image: clip(i.image, MAX_TEXT),
        first_denied_at: null,
        first_admitted_at: null,
      };
      if (denied && (r.first_denied_at === null || d.at < r.first_denied_at))
        r.first_denied_at = d.at;
      if (d.allowed && (r.first_admitted_at === null || d.at < r.first_admitted_at))
        r.first_admitted_at = d.at;
      rows.set(i.digest, r);
    }
  }
  const sorted = [...rows.values()].sort((a, b) => (a.digest < b.digest ? -1 : 1));
  const earlier = (c: 'first_denied_at' | 'first_admitted_at') =>
    sql<
      string | null
    >`case when excluded.${sql.ref(c)} is not null and (admission_image_firsts.${sql.ref(c)} is null or excluded.${sql.ref(c)} < admission_image_firsts.${sql.ref(c)}) then excluded.${sql.ref(c)} else admission_image_firsts.${sql.ref(c)} end`;
  for (let k = 0; k < sorted.length; k += ROWS_PER_INSERT)
    await trx
      .insertInto('admission_image_firsts')
      .values(sorted.slice(k, k + ROWS_PER_INSERT))
      .onConflict((oc) =>
        oc
          .column('digest')
          .doUpdateSet({
            first_denied_at: earlier('first_denied_at'),
            first_admitted_at: earlier('first_admitted_at'),
          })
          // Most admissions are of digests long known: leave their row (and its lock) alone.
          .where((eb) =>
            eb.or([
              eb.and([
                eb('excluded.first_denied_at', 'is not', null),
                eb.or([
                  eb('admission_image_firsts.first_denied_at', 'is', null),
                  eb(
                    'excluded.first_denied_at',
                    '<',
                    eb.ref('admission_image_firsts.first_denied_at'),
                  ),
                ]),
              ]),
              eb.and([
                eb('excluded.first_admitted_at', 'is not', null),
                eb.or([
                  eb('admission_image_firsts.first_admitted_at', 'is', null),
                  eb(
                    'excluded.first_admitted_at',
                    '<',
                    eb.ref('admission_image_firsts.first_admitted_at'),
                  ),
                ]),
              ]),
            ]),
          ),
      )
      .execute();
}

/** The hour key of an ISO 8601 UTC time: `YYYY-MM-DDTHH`. */
export function hourOf(at: string): string {
  return new Date(at).toISOString().slice(0, 13);
}

/** Decisions per hour: one hot row per hour, incremented by each batch. */
async function upsertHourly(trx: Q, ds: readonly AdmissionDecision[]): Promise<void> {
  const rows = new Map<string, Database['admission_hourly']>();
  for (const d of ds) {
    const hour = hourOf(d.at);
    const r = rows.get(hour) ?? {
      hour,
      decisions: 0,
      infra: 0,
      admitted_images: 0,
      admitted_cached: 0,
      admitted_stale: 0,
    };
    r.decisions += 1;
    if (d.images.some((i) => i.outcome === 'infra')) r.infra += 1;
    if (d.allowed && !d.dryRun)
      for (const i of d.images) {
        r.admitted_images += 1;
        if (i.cached) r.admitted_cached += 1;
        if (i.degraded !== undefined && i.degraded.via !== 'none') r.admitted_stale += 1;
      }
    rows.set(hour, r);
  }
  const add = (c: keyof Omit<Database['admission_hourly'], 'hour'>) =>
    sql<number>`admission_hourly.${sql.ref(c)} + excluded.${sql.ref(c)}`;
  for (const r of [...rows.values()].sort((a, b) => (a.hour < b.hour ? -1 : 1)))
    await trx
      .insertInto('admission_hourly')
      .values(r)
      .onConflict((oc) =>
        oc.column('hour').doUpdateSet({
          decisions: add('decisions'),
          infra: add('infra'),
          admitted_images: add('admitted_images'),
          admitted_cached: add('admitted_cached'),
          admitted_stale: add('admitted_stale'),
        }),
      )
      .execute();
}

/**
 * Mark deployed the releases that have an artifact of an admitted digest (and were not yet),
 * with an audit event per release naming the cluster: the inventory's "deployed" then needs no
 * manual update. The search generation moves only when a release changed.
 */
async function markReleasesDeployed(trx: Q, ds: readonly AdmissionDecision[]): Promise<number[]> {
  const byDigest = new Map<string, AdmissionDecision & { cluster: string }>();
  for (const d of ds)
    if (admits(d)) for (const i of d.images) if (i.digest) byDigest.set(i.digest, d);
  if (byDigest.size === 0) return [];
  const digests = [...byDigest.keys()].sort();
  const flipped: { id: number }[] = [];
  for (let k = 0; k < digests.length; k += ROWS_PER_INSERT) {
    const part = digests.slice(k, k + ROWS_PER_INSERT);
    flipped.push(
      ...(await trx
        .updateTable('releases')
        .set({ deployed: 1 })
        .where('deployed', '=', 0)
        .where('id', 'in', (eb) =>
          eb.selectFrom('artifacts').select('release_id').where('digest', 'in', part),
        )
        .returning('id')
        .execute()),
    );
  }
  if (flipped.length === 0) return [];
  const ids = flipped.map((r) => r.id).sort((a, b) => a - b);
  const rows = await trx
    .selectFrom('releases as r')
    .innerJoin('products as p', 'p.id', 'r.product_id')
    .innerJoin('teams as t', 't.id', 'p.team_id')
    .innerJoin('artifacts as a', 'a.release_id', 'r.id')
    .select(['r.id', 'r.version', 'p.name as product', 't.name as team', 'a.digest'])
    .where('r.id', 'in', ids)
    .where('a.digest', 'in', digests)
    .orderBy('r.id')
    .execute();
  const seen = new Set<number>();
  for (const r of rows) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    const d = byDigest.get(r.digest);
    if (d === undefined) continue;
    await insertAuditEvent(
      trx,
      {
        actor: `admission:${d.cluster}`,
        person: `cluster:${d.cluster}`,
        role: 'admission',
        action: 'release.deployed',
        target: `release:${r.id}`,
        source: 'admission-webhook',
        team: r.team,
        details: {
          product: r.product,
          version: r.version,
          digest: r.digest,
          cluster: d.cluster,
          namespace: d.namespace,
          decision: d.uid,
        },
      },
      d.at,
    );
  }
  await bumpWriteGeneration(trx);
  return ids;
}

/**
 * Keep the namespaces' mode periods up to date: for each namespace given (its latest decision's
 * mode), close the open period when its mode differs and open one in the new mode.
 * @returns the namespaces whose mode changed (or that had no period yet)
 */
export async function noteModes(
  trx: Q,
  latest: readonly { namespace: string; mode: string; at: string }[],
): Promise<string[]> {
  if (latest.length === 0) return [];
  const open = await trx
    .selectFrom('admission_mode_periods')
    .select(['id', 'namespace', 'mode'])
    .where(
      'namespace',
      'in',
      latest.map((l) => l.namespace),
    )
    .where('ended_at', 'is', null)
    .execute();
  const current = new Map(open.map((o) => [o.namespace, o]));
  const changed: string[] = [];
  for (const l of [...latest].sort((a, b) => (a.namespace < b.namespace ? -1 : 1))) {
    const o = current.get(l.namespace);
    if (o?.mode === l.mode) continue;
    if (o !== undefined)
      await trx
        .updateTable('admission_mode_periods')
        .set({ ended_at: l.at })
        .where('id', '=', o.id)
        .where('ended_at', 'is', null)
        .execute();
    await trx
      .insertInto('admission_mode_periods')
      .values({ namespace: l.namespace, mode: l.mode, started_at: l.at, ended_at: null })
      .execute();
    changed.push(l.namespace);
  }
  return changed;
}

// ---- reads -------------------------------------------------------------------------------

export interface DecisionFilter {
  namespace?: string;
  cluster?: string;
  allowed?: boolean;
  reason?: string;
  /** ISO 8601: decisions at or after. */
  since?: string;
  /** Keyset: ids below this. */
  before?: number;
  limit: number;
}

/** Decisions newest first (by id), with the filters given. */
export async function listDecisions(q: Q, f: DecisionFilter): Promise<DecisionRow[]> {
  let query = q.selectFrom('admission_decisions as d').selectAll('d');
  if (f.namespace !== undefined) query = query.where('d.namespace', '=', f.namespace);
  if (f.cluster !== undefined) query = query.where('d.cluster', '=', f.cluster);
  if (f.allowed !== undefined) query = query.where('d.allowed', '=', f.allowed ? 1 : 0);
  if (f.since !== undefined) query = query.where('d.at', '>=', f.since);
  if (f.before !== undefined) query = query.where('d.id', '<', f.before);
  const reason = f.reason;
  if (reason !== undefined)
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('admission_decision_images as i')
          .select('i.id')
          .whereRef('i.decision_id', '=', 'd.id')
          .where('i.reason', '=', reason),
      ),
    );
  return query.orderBy('d.id', 'desc').limit(f.limit).execute();
}

export async function imagesOfDecisions(q: Q, ids: readonly number[]): Promise<DecisionImageRow[]> {
  if (ids.length === 0) return [];
  return q
    .selectFrom('admission_decision_images')
    .selectAll()
    .where('decision_id', 'in', [...ids])
    .orderBy('id')
    .execute();
}

export interface DeploymentFilter {
  cluster?: string;
  namespace?: string;
  digest?: string;
  before?: number;
  limit: number;
}

export async function listDeployments(q: Q, f: DeploymentFilter): Promise<DeploymentRow[]> {
  let query = q.selectFrom('admission_deployments').selectAll();
  if (f.cluster !== undefined) query = query.where('cluster', '=', f.cluster);
  if (f.namespace !== undefined) query = query.where('namespace', '=', f.namespace);
  if (f.digest !== undefined) query = query.where('digest', '=', f.digest);
  if (f.before !== undefined) query = query.where('id', '<', f.before);
  return query.orderBy('id', 'desc').limit(f.limit).execute();
}

/** One image admitted into a namespace, as the blast radius of a mode override lists it. */
export interface RunningImage {
  cluster: string;
  namespace: string;
  image: string;
  digest: string;
  lastAdmittedAt: string;
}

/** Most images listed per blast radius (the count says how many there are). */
const MAX_RUNNING = 1000;

/**
 * The blast radius of a mode override: the images admitted (and so, as far as admission knows,
 * running) in the namespaces, most recently admitted first. Admission sees pods start, not stop:
 * an image stays listed until its namespace stops using it and the record ages out.
 */
export async function runningImagesIn(
  q: Q,
  namespaces: readonly string[],
): Promise<{ namespaces: string[]; images: RunningImage[]; total: number; truncated: boolean }> {
  const ns = [...new Set(namespaces)].sort();
  if (ns.length === 0) return { namespaces: [], images: [], total: 0, truncated: false };
  const rows = await q
    .selectFrom('admission_deployments')
    .select(['cluster', 'namespace', 'image', 'digest', 'last_admitted_at'])
    .where('namespace', 'in', ns)
    .orderBy('last_admitted_at', 'desc')
    .orderBy('id', 'desc')
    .limit(MAX_RUNNING + 1)
    .execute();
  const total =
    rows.length > MAX_RUNNING
      ? Number(
          (
            await q
              .selectFrom('admission_deployments')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('namespace', 'in', ns)
              .executeTakeFirst()
          )?.n ?? 0,
        )
      : rows.length;
  return {
    namespaces: ns,
    images: rows.slice(0, MAX_RUNNING).map((r) => ({
      cluster: r.cluster,
      namespace: r.namespace,
      image: r.image,
      digest: r.digest,
      lastAdmittedAt: r.last_admitted_at,
    })),
    total,
    truncated: rows.length > MAX_RUNNING,
  };
}

// ---- the would-deny report ---------------------------------------------------------------------

/** Per namespace, real (not dry-run) decisions since a time. */
export interface NamespaceDecisionStats {
  namespace: string;
  decisions: number;
  denied: number;
  /** Decisions taken in audit or warn. */
  notEnforced: number;
  /** Of those, the ones enforce would have denied. */
  wouldDeny: number;
  images: number;
  firstAt: string;
  lastAt: string;
}

export async function namespaceDecisionStats(
  q: Q,
  since: string,
  namespace?: string,
): Promise<NamespaceDecisionStats[]> {
  let query = q
    .selectFrom('admission_decisions')
    .select((eb) => [
      'namespace',
      eb.fn.countAll<number>().as('decisions'),
      sql<number>`sum(1 - allowed)`.as('denied'),
      sql<number>`sum(case when mode <> 'enforce' then 1 else 0 end)`.as('not_enforced'),
      sql<number>`sum(case when mode <> 'enforce' then would_deny else 0 end)`.as('would_deny'),
      eb.fn.min('at').as('first_at'),
      eb.fn.max('at').as('last_at'),
    ])
    .where('at', '>=', since)
    .where('dry_run', '=', 0);
  if (namespace !== undefined) query = query.where('namespace', '=', namespace);
  const rows = await query.groupBy('namespace').orderBy('namespace').execute();
  let images = q
    .selectFrom('admission_decision_images as i')
    .innerJoin('admission_decisions as d', 'd.id', 'i.decision_id')
    .select(['d.namespace', sql<number>`count(distinct i.image)`.as('images')])
    .where('d.at', '>=', since)
    .where('d.dry_run', '=', 0);
  if (namespace !== undefined) images = images.where('d.namespace', '=', namespace);
  const perNs = new Map(
    (await images.groupBy('d.namespace').execute()).map((r) => [r.namespace, Number(r.images)]),
  );
  return rows.map((r) => ({
    namespace: r.namespace,
    decisions: Number(r.decisions),
    denied: Number(r.denied),
    notEnforced: Number(r.not_enforced),
    wouldDeny: Number(r.would_deny),
    images: perNs.get(r.namespace) ?? 0,
    firstAt: String(r.first_at),
    lastAt: String(r.last_at),
  }));
}

/** One (namespace, image, reason) that enforce would have refused in audit or warn. */
export interface WouldDenyGroup {
  namespace: string;
  image: string;
  reason: string;
  /** Decisions it was part of. */
  decisions: number;
  firstAt: string;
  lastAt: string;
}

/** Most groups read for one report: beyond it the report says it was cut. */
export const MAX_WOULD_DENY_GROUPS = 20_000;

export async function wouldDenyGroups(
  q: Q,
  since: string,
  namespace?: string,
): Promise<WouldDenyGroup[]> {
  let query = q
    .selectFrom('admission_decision_images as i')
    .innerJoin('admission_decisions as d', 'd.id', 'i.decision_id')
    .select((eb) => [
      'd.namespace',
      'i.image',
      sql<string>`coalesce(i.reason, 'infrastructure')`.as('reason'),
      sql<number>`count(distinct d.id)`.as('decisions'),
      eb.fn.min('d.at').as('first_at'),
      eb.fn.max('d.at').as('last_at'),
    ])
    .where('d.at', '>=', since)
    .where('d.dry_run', '=', 0)
    .where('d.mode', '<>', 'enforce')
    .where('i.outcome', '<>', 'pass')
    .where('i.effect', '<>', 'allow-by-exception');
  if (namespace !== undefined) query = query.where('d.namespace', '=', namespace);
  const rows = await query
    .groupBy(['d.namespace', 'i.image', sql`coalesce(i.reason, 'infrastructure')`])
    .limit(MAX_WOULD_DENY_GROUPS + 1)
    .execute();
  return rows.map((r) => ({
    namespace: r.namespace,
    image: r.image,
    reason: r.reason,
    decisions: Number(r.decisions),
    firstAt: String(r.first_at),
    lastAt: String(r.last_at),
  }));
}

// ---- reconciliation ----------------------------------------------------------------------------

/** Degraded decisions not reconciled for good, oldest first, with their degraded images. */
export async function pendingDegraded(
  q: Q,
  limit: number,
): Promise<{ decision: DecisionRow; images: DecisionImageRow[] }[]> {
  const decisions = await q
    .selectFrom('admission_decisions')
    .selectAll()
    .where('degraded', '=', 1)
    .where('reconciled_at', 'is', null)
    .orderBy('id')
    .limit(limit)
    .execute();
  const images = await q
    .selectFrom('admission_decision_images')
    .selectAll()
    .where('decision_id', 'in', decisions.length ? decisions.map((d) => d.id) : [-1])
    .where((eb) => eb.or([eb('degraded', 'is not', null), eb('outcome', '=', 'infra')]))
    .orderBy('id')
    .execute();
  return decisions.map((d) => ({
    decision: d,
    images: images.filter((i) => i.decision_id === d.id),
  }));
}

/**
 * Record one attempt. A final result (confirmed, overturned) is written only by the first to
 * reach the decision (replicas may reconcile at once): returns false when another got there.
 */
export async function recordReconciliation(
  trx: Q,
  r: { decisionId: number; at: string; result: string; seconds: number; detail: unknown },
): Promise<boolean> {
  if (r.result !== 'still-failing') {
    const u = await trx
      .updateTable('admission_decisions')
      .set({ reconciled_at: r.at, reconciliation: r.result })
      .where('id', '=', r.decisionId)
      .where('reconciled_at', 'is', null)
      .executeTakeFirst();
    if (Number(u.numUpdatedRows) === 0) return false;
  }
  await trx
    .insertInto('admission_reconciliations')
    .values({
      decision_id: r.decisionId,
      reconciled_at: r.at,
      result: r.result,
      seconds: Math.max(0, Math.round(r.seconds)),
      detail: JSON.stringify(r.detail),
    })
    .execute();
  return true;
}

export interface ReconciliationListRow extends ReconciliationRow {
  namespace: string;
  cluster: string | null;
  workload: string;
  decided_at: string;
  allowed: number;
}

export async function listReconciliations(
  q: Q,
  f: { result?: string; before?: number; limit: number },
): Promise<ReconciliationListRow[]> {
  let query = q
    .selectFrom('admission_reconciliations as r')
    .innerJoin('admission_decisions as d', 'd.id', 'r.decision_id')
    .selectAll('r')
    .select(['d.namespace', 'd.cluster', 'd.workload', 'd.at as decided_at', 'd.allowed']);
  if (f.result !== undefined) query = query.where('r.result', '=', f.result);
  if (f.before !== undefined) query = query.where('r.id', '<', f.before);
  return query.orderBy('r.id', 'desc').limit(f.limit).execute();
}

// ---- figures for /metrics ----------------------------------------------------------------------

export interface AdmissionRecordFigures {
  pendingReconciliation: number;
  /** Seconds to a final reconciliation, over those made since the window's start. */
  reconcileSeconds: number[];
  modePeriods: { namespace: string; mode: string; startedAt: string; endedAt: string | null }[];
  blocked: number;
  resolved: number;
  /** Seconds from first denied to first admitted, over digests first admitted in the window. */
  resolutionSeconds: number[];
  hourly: Selectable<Database['admission_hourly']>[];
}

/** Everything `/metrics` reads, in a few indexed queries. */
export async function admissionRecordFigures(
  q: Q,
  o: { since: string; sloSince: string },
): Promise<AdmissionRecordFigures> {
  const [pending, recon, periods, blocked, resolved, resolutions, hourly] = await Promise.all([
    q
      .selectFrom('admission_decisions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('degraded', '=', 1)
      .where('reconciled_at', 'is', null)
      .executeTakeFirst(),
    q
      .selectFrom('admission_reconciliations')
      .select('seconds')
      .where('result', 'in', ['confirmed', 'overturned'])
      .where('reconciled_at', '>=', o.since)
      .limit(100_000)
      .execute(),
    q
      .selectFrom('admission_mode_periods')
      .select(['namespace', 'mode', 'started_at', 'ended_at'])
      .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>=', o.since)]))
      .limit(100_000)
      .execute(),
    q
      .selectFrom('admission_image_firsts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('first_denied_at', 'is not', null)
      .where('first_admitted_at', 'is', null)
      .executeTakeFirst(),
    q
      .selectFrom('admission_image_firsts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('first_denied_at', 'is not', null)
      .whereRef('first_admitted_at', '>', 'first_denied_at')
      .executeTakeFirst(),
    q
      .selectFrom('admission_image_firsts')
      .select(['first_denied_at', 'first_admitted_at'])
      .where('first_admitted_at', '>=', o.since)
      .where('first_denied_at', 'is not', null)
      .whereRef('first_admitted_at', '>', 'first_denied_at')
      .limit(100_000)
      .execute(),
    q
      .selectFrom('admission_hourly')
      .selectAll()
      .where('hour', '>=', hourOf(o.sloSince))
      .orderBy('hour')
      .execute(),
  ]);
  return {
    pendingReconciliation: Number(pending?.n ?? 0),
    reconcileSeconds: recon.map((r) => Number(r.seconds)),
    modePeriods: periods.map((p) => ({
      namespace: p.namespace,
      mode: p.mode,
      startedAt: p.started_at,
      endedAt: p.ended_at,
    })),
    blocked: Number(blocked?.n ?? 0),
    resolved: Number(resolved?.n ?? 0),
    resolutionSeconds: resolutions.map(
      (r) =>
        (Date.parse(String(r.first_admitted_at)) - Date.parse(String(r.first_denied_at))) / 1000,
    ),
    hourly,
  };
}
