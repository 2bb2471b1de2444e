import { CompiledQuery, PostgresAdapter, type RawBuilder, sql } from 'kysely';
import type { ComponentMatch } from '../inventory/index.js';
import { hashKey } from './component-index.js';
import type { Q } from './db.js';

/** One hit of a component search: the component and where it ships. */
export interface ComponentHit {
  id: number;
  purl: string | null;
  name: string;
  version: string | null;
  ecosystem: string | null;
  scope: string | null;
  direct: number;
  licenses: string | null;
  current: number;
  sbom_id: number;
  release_id: number;
  release_version: string;
  release_created_at: string;
  deployed: number;
  product_id: number;
  product: string;
  team: string;
  artifact_id: number;
  artifact_digest: string;
  artifact_name: string | null;
}

export interface SearchOptions {
  match: ComponentMatch;
  /** Versions that satisfy a range, decided by the caller from `versionsOf`. */
  versions?: readonly string[];
  direct?: boolean;
  history: boolean;
  /** undefined: every team. */
  teamIds?: readonly number[];
  limit: number;
  before?: number;
}

/** The package dictionary ids a purl or name search is about. */
export async function packageIdsFor(
  q: Q,
  match: { by: 'purl'; package: string } | { by: 'name'; name: string; ecosystem?: string },
): Promise<number[]> {
  let s = q.selectFrom('packages').select('id');
  if (match.by === 'purl') s = s.where('package', '=', match.package);
  else {
    s = s.where('name', '=', match.name);
    if (match.ecosystem !== undefined) s = s.where('ecosystem', '=', match.ecosystem);
  }
  return (await s.execute()).map((r) => r.id);
}

/**
 * Components matching a search, newest first (by index order, which follows ingest order), one
 * page of `limit` rows plus one to tell whether there is more. `packageIds` must come from
 * `packageIdsFor` for purl and name searches.
 */
export async function searchComponents(
  q: Q,
  o: SearchOptions,
  packageIds?: readonly number[],
): Promise<ComponentHit[]> {
  const m = o.match;
  if (m.by === 'hash' || m.by === 'license') return searchByLink(q, o, m);
  if (!packageIds || packageIds.length === 0) return [];
  if (o.versions !== undefined && o.versions.length === 0) return [];
  return searchByPackage(q, o, m, packageIds);
}

/**
 * Purl and name searches read the (package_id, version, id) index as runs, one per (package,
 * version) the search is about, each newest first from its own seek, and merge them in one
 * statement that stops after the page: the cost follows the page and the number of versions, not
 * how many releases ship the package. The page's rows are joined to their release, product and
 * artifact in the same statement, and rows the caller may not see (superseded, another team's,
 * another qualifier) are dropped afterwards; when they leave the page short, the next, larger
 * slice starts below the last id read.
 */
async function searchByPackage(
  q: Q,
  o: SearchOptions,
  m: Extract<ComponentMatch, { by: 'purl' | 'name' }>,
  packageIds: readonly number[],
): Promise<ComponentHit[]> {
  const rows = await pageRows(q, o, m, packageIds, 'hit');
  return rows.map((r) =>
    typeof r.hit === 'string' ? (JSON.parse(r.hit) as ComponentHit) : (r.hit as ComponentHit),
  );
}

/**
 * The page's rows as the search answers them: `limit` visible rows plus one to tell whether there
 * is more, in the shape `shape` names, newest first.
 */
async function pageRows(
  q: Q,
  o: SearchOptions,
  m: Extract<ComponentMatch, { by: 'purl' | 'name' }>,
  packageIds: readonly number[],
  shape: Shape,
): Promise<SliceRow[]> {
  if (o.teamIds !== undefined && o.teamIds.length === 0) return [];
  const runs = await indexRuns(q, m, o.versions, packageIds);
  const hits: SliceRow[] = [];
  let before = o.before;
  let slice = o.limit + 1;
  for (;;) {
    const rows = await runsSlice(q, o, m, runs, before, slice, shape);
    for (const r of rows) if (r.visible === 1 && hits.length <= o.limit) hits.push(r);
    if (hits.length > o.limit || rows.length < slice) return hits;
    before = (rows[rows.length - 1] as SliceRow).id;
    slice = Math.min(slice * 4, MAX_SLICE);
  }
}

/** One hit of a purl or name search as the API shows it: its id and its view as JSON text. */
export interface HitJson {
  id: number;
  json: string;
}

/**
 * A purl or name search's page with each row's API view (app/inventory/views.ts `hitView`) built
 * by the database as JSON text, so a response is assembled from the texts without parsing and
 * serializing each row again (that round cost more than the page's joins). Hash and licence
 * searches: undefined (their rows come through `searchComponents`).
 */
export async function searchComponentViews(
  q: Q,
  o: SearchOptions,
  packageIds?: readonly number[],
): Promise<HitJson[] | undefined> {
  const m = o.match;
  if (m.by === 'hash' || m.by === 'license') return undefined;
  if (!packageIds || packageIds.length === 0) return [];
  if (o.versions !== undefined && o.versions.length === 0) return [];
  const rows = await pageRows(q, o, m, packageIds, 'view');
  return rows.map((r) => ({ id: r.id, json: r.hit as string }));
}

/** One run of the index: the rows of one package at one version (null: rows without one). */
interface Run {
  packageId: number;
  version: string | null;
}

/** 'hit': a ComponentHit's columns as one JSON object; 'view': the API's view of it as text. */
type Shape = 'hit' | 'view';

interface SliceRow {
  id: number;
  visible: number;
  hit: string | ComponentHit;
}

// The largest slice read at once when rows are being skipped (superseded or other teams').
const MAX_SLICE = 2000;
// Runs merged in one statement (SQLite allows 500 terms in a compound SELECT); more are read a
// statement per chunk and merged here.
const RUNS_PER_STATEMENT = 64;

/**
 * The runs a search reads: its exact version or the versions a range selected, for each package;
 * without either, every version the package has been recorded at and the rows without one.
 */
async function indexRuns(
  q: Q,
  m: Extract<ComponentMatch, { by: 'purl' | 'name' }>,
  versions: readonly string[] | undefined,
  packageIds: readonly number[],
): Promise<Run[]> {
  const chosen = versions ?? (m.version !== undefined ? [m.version] : undefined);
  if (chosen !== undefined) {
    return packageIds.flatMap((packageId) => chosen.map((version) => ({ packageId, version })));
  }
  const recorded = await packageVersions(q, packageIds);
  return [...recorded, ...packageIds.map((packageId) => ({ packageId, version: null }))];
}

async function runsSlice(
  q: Q,
  o: SearchOptions,
  m: Extract<ComponentMatch, { by: 'purl' | 'name' }>,
  runs: readonly Run[],
  before: number | undefined,
  slice: number,
  shape: Shape,
): Promise<SliceRow[]> {
  let ids: RawBuilder<unknown>;
  if (runs.length <= RUNS_PER_STATEMENT) ids = mergedRuns(q, runs, before, slice);
  else {
    // Many versions (a wide range over a package with a long history): each chunk's newest
    // `slice` ids, merged; the rows are then read by id.
    const chunks: number[] = [];
    for (let i = 0; i < runs.length; i += RUNS_PER_STATEMENT) {
      const part = mergedRuns(q, runs.slice(i, i + RUNS_PER_STATEMENT), before, slice);
      const r = await sql<{ id: number }>`${part}`.execute(q);
      for (const x of r.rows) chunks.push(x.id);
    }
    const newest = chunks.sort((a, b) => b - a).slice(0, slice);
    if (newest.length === 0) return [];
    ids = sql`select id from components where id in (${sql.join(newest)})`;
  }
  const r = await sliceStatement(q, o, m, ids, shape).execute(q);
  // Sorted here: the runs come newest first already, and a sort in SQL would copy every column.
  return r.rows.sort((x, y) => y.id - x.id);
}

/** The rows of `ids` with where each ships, and whether the caller may see each. */
function sliceStatement(
  q: Q,
  o: SearchOptions,
  m: Extract<ComponentMatch, { by: 'purl' | 'name' }>,
  ids: RawBuilder<unknown>,
  shape: Shape = 'hit',
): RawBuilder<SliceRow> {
  const visible = [
    o.history ? undefined : sql`s.current = 1`,
    o.teamIds !== undefined ? sql`s.team_id in (${sql.join(o.teamIds)})` : undefined,
    o.direct !== undefined ? sql`c.direct = ${o.direct ? 1 : 0}` : undefined,
    // Package, version and range chose the runs; qualifiers and subpath are compared here.
    m.by === 'purl' && m.purl !== undefined ? sql`c.purl = ${m.purl}` : undefined,
  ].filter((x) => x !== undefined);
  const flag =
    visible.length === 0
      ? sql`1`
      : sql`case when ${sql.join(visible, sql` and `)} then 1 else 0 end`;
  const pg = isPostgres(q);
  if (shape === 'view' && pg) {
    // PostgreSQL plans an eight-way join in about twice the time it runs it (a search's page
    // statement is planned afresh each time); with the release, product and artifact read by
    // scalar subqueries in the view, three relations are joined and planning costs a quarter.
    return sql`select c.id, ${flag} as visible, ${PG_VIEW} as hit
    from (${ids}) as m
    join components c on c.id = m.id
    join packages k on k.id = c.package_id
    join sboms s on s.id = c.sbom_id`;
  }
  const hit = shape === 'view' ? SQLITE_VIEW : pg ? PG_HIT : SQLITE_HIT;
  return sql`select c.id, ${flag} as visible, ${hit} as hit
    from (${ids}) as m
    join components c on c.id = m.id
    join packages k on k.id = c.package_id
    join sboms s on s.id = c.sbom_id
    join artifacts a on a.id = s.artifact_id
    join releases r on r.id = s.release_id
    join products p on p.id = s.product_id
    join teams t on t.id = s.team_id`;
}

const isPostgres = (q: Q) => q.getExecutor().adapter instanceof PostgresAdapter;

/** One statement a search runs and the database's plan for it. */
export interface SearchPlan {
  statement: string;
  sql: string;
  /** SQLite: EXPLAIN QUERY PLAN's details; PostgreSQL: EXPLAIN's lines. */
  plan: string[];
}

/**
 * The plans of the statements a purl or name search runs for its first page (the recorded
 * versions' scan when it needs one, and the page), so benchmarks can print them and tests can
 * check that each is read off the index rather than scanned. Hash and licence searches: none.
 */
export async function explainSearch(
  q: Q,
  o: SearchOptions,
  packageIds: readonly number[],
): Promise<SearchPlan[]> {
  const m = o.match;
  if (m.by === 'hash' || m.by === 'license' || packageIds.length === 0) return [];
  const out: { statement: string; query: RawBuilder<unknown> }[] = [];
  if (m.version === undefined) {
    out.push({ statement: 'recorded versions', query: packageVersionsStatement(packageIds) });
  }
  const runs = await indexRuns(q, m, o.versions, packageIds);
  const first = runs.slice(0, RUNS_PER_STATEMENT);
  out.push({
    statement: `page (${first.length} index run${first.length === 1 ? '' : 's'})`,
    query: sliceStatement(q, o, m, mergedRuns(q, first, o.before, o.limit + 1), 'view'),
  });
  const pg = isPostgres(q);
  const plans: SearchPlan[] = [];
  for (const x of out) {
    const c = x.query.compile(q);
    const r = await q.executeQuery<Record<string, unknown>>(
      CompiledQuery.raw(`${pg ? 'explain' : 'explain query plan'} ${c.sql}`, [...c.parameters]),
    );
    const plan = r.rows.map((row) => String(pg ? row['QUERY PLAN'] : row['detail']));
    plans.push({ statement: x.statement, sql: c.sql, plan });
  }
  return plans;
}

/**
 * The newest `slice` ids below `before` of the runs. Each run is an equality on the index's first
 * two columns, so its rows come in id order, and SQLite merges the runs (MERGE (UNION ALL)),
 * stopping after `slice` rows. PostgreSQL estimates a package at one version as a row or two (it
 * multiplies the two columns' selectivities), so it would append the runs whole and sort them:
 * there each run is limited to `slice` itself.
 */
function mergedRuns(
  q: Q,
  runs: readonly Run[],
  before: number | undefined,
  slice: number,
): RawBuilder<unknown> {
  const pg = isPostgres(q);
  const run = (x: Run) => {
    const where = sql`package_id = ${x.packageId} and ${
      x.version === null ? sql`version is null` : sql`version = ${x.version}`
    }${before !== undefined ? sql` and id < ${before}` : sql``}`;
    return pg && runs.length > 1
      ? sql`(select id from components where ${where} order by id desc limit ${slice})`
      : sql`select id from components where ${where}`;
  };
  return sql`${sql.join(runs.map(run), sql` union all `)} order by id desc limit ${slice}`;
}

// Each hit as one JSON object built by the database: a driver turns a row of twenty columns into
// twenty values one by one (better-sqlite3 spent more on that than on the joins); one string
// per row and JSON.parse cost about a third as much. PostgreSQL's json arrives parsed by pg.
const HIT_FIELDS: readonly [string, string][] = [
  ['id', 'c.id'],
  ['purl', 'c.purl'],
  ['name', 'k.name'],
  ['version', 'c.version'],
  ['ecosystem', 'k.ecosystem'],
  ['scope', 'c.scope'],
  ['direct', 'c.direct'],
  ['licenses', 'c.licenses'],
  ['current', 's.current'],
  ['sbom_id', 'c.sbom_id'],
  ['release_id', 'r.id'],
  ['release_version', 'r.version'],
  ['release_created_at', 'r.created_at'],
  ['deployed', 'r.deployed'],
  ['product_id', 'p.id'],
  ['product', 'p.name'],
  ['team', 't.name'],
  ['artifact_id', 'a.id'],
  ['artifact_digest', 'a.digest'],
  ['artifact_name', 'a.name'],
];
const hitObject = (fn: string) =>
  sql.raw(`${fn}(${HIT_FIELDS.map(([k, col]) => `'${k}', ${col}`).join(', ')})`);
const SQLITE_HIT = hitObject('json_object');
const PG_HIT = hitObject('json_build_object');

// hitView's shape (app/inventory/views.ts), key for key; test/inventory/search-views.test.ts
// compares the two row for row. Flags are 0/1 integers in the store and booleans in the view.
const SQLITE_FLAG = (col: string) => `json(case when ${col} = 1 then 'true' else 'false' end)`;
const SQLITE_VIEW = sql.raw(`json_object('purl', c.purl, 'name', k.name, 'version', c.version,
  'ecosystem', k.ecosystem, 'scope', c.scope, 'direct', ${SQLITE_FLAG('c.direct')},
  'licenses', c.licenses, 'current', ${SQLITE_FLAG('s.current')},
  'sbom', json_object('id', c.sbom_id),
  'release', json_object('id', r.id, 'version', r.version, 'createdAt', r.created_at,
    'deployed', ${SQLITE_FLAG('r.deployed')}),
  'product', json_object('id', p.id, 'name', p.name, 'team', t.name),
  'artifact', json_object('id', a.id, 'digest', a.digest, 'name', a.name))`);
const PG_FLAG = (col: string) => `coalesce(${col} = 1, false)`;
const PG_VIEW = sql.raw(`json_build_object('purl', c.purl, 'name', k.name, 'version', c.version,
  'ecosystem', k.ecosystem, 'scope', c.scope, 'direct', ${PG_FLAG('c.direct')},
  'licenses', c.licenses, 'current', ${PG_FLAG('s.current')},
  'sbom', json_build_object('id', c.sbom_id),
  'release', (select json_build_object('id', r.id, 'version', r.version, 'createdAt', r.created_at,
    'deployed', ${PG_FLAG('r.deployed')}) from releases r where r.id = s.release_id),
  'product', (select json_build_object('id', p.id, 'name', p.name,
    'team', (select t.name from teams t where t.id = s.team_id)) from products p where p.id = s.product_id),
  'artifact', (select json_build_object('id', a.id, 'digest', a.digest, 'name', a.name)
    from artifacts a where a.id = s.artifact_id))::text`);

// A licence like MIT links to millions of components. Walking its link-table key downwards in
// slices, and fetching each slice's components by id, keeps the cost proportional to the page,
// not to the licence's popularity.
const SLICE = 500;

/**
 * Join the rows of `ids` (newest first) a chunk at a time, each chunk as big as the page still
 * needs, so a page of 50 joins about 51 rows whatever the slice holds. True when the page is full.
 */
async function fill(
  q: Q,
  o: SearchOptions,
  ids: readonly number[],
  hits: ComponentHit[],
): Promise<boolean> {
  for (let i = 0; i < ids.length && hits.length <= o.limit; ) {
    const chunk = ids.slice(i, i + Math.max(16, o.limit + 1 - hits.length));
    i += chunk.length;
    hits.push(...(await componentQuery(q, { ...o, limit: o.limit - hits.length }, chunk)));
  }
  return hits.length > o.limit;
}

async function searchByLink(
  q: Q,
  o: SearchOptions,
  m: Extract<ComponentMatch, { by: 'hash' | 'license' }>,
): Promise<ComponentHit[]> {
  let licenseId: number | undefined;
  if (m.by === 'license') {
    const l = await q
      .selectFrom('licenses')
      .select('id')
      .where('name', '=', m.license)
      .executeTakeFirst();
    if (!l) return [];
    licenseId = l.id;
  }
  const hits: ComponentHit[] = [];
  let before = o.before;
  for (;;) {
    let ids: number[];
    if (licenseId !== undefined) {
      let c = q
        .selectFrom('component_licenses')
        .select('component_id')
        .where('license_id', '=', licenseId);
      if (before !== undefined) c = c.where('component_id', '<', before);
      ids = (await c.orderBy('component_id', 'desc').limit(SLICE).execute()).map(
        (r) => r.component_id,
      );
    } else {
      const h = m as Extract<ComponentMatch, { by: 'hash' }>;
      let c = q
        .selectFrom('component_hashes')
        .select('component_id')
        .where('key', '=', hashKey(h.value))
        .where('value', '=', h.value);
      if (h.alg !== undefined) c = c.where('alg', '=', h.alg);
      if (before !== undefined) c = c.where('component_id', '<', before);
      ids = (await c.orderBy('component_id', 'desc').limit(SLICE).execute()).map(
        (r) => r.component_id,
      );
    }
    if (ids.length === 0) return hits;
    if ((await fill(q, o, ids, hits)) || ids.length < SLICE) return hits.slice(0, o.limit + 1);
    before = ids[ids.length - 1];
  }
}

/** The rows of `componentIds` that pass the search's filters, with where each ships. */
async function componentQuery(
  q: Q,
  o: SearchOptions,
  componentIds: readonly number[],
): Promise<ComponentHit[]> {
  let s = q
    .selectFrom('components as c')
    .innerJoin('packages as k', 'k.id', 'c.package_id')
    .innerJoin('sboms as s', 's.id', 'c.sbom_id')
    .innerJoin('artifacts as a', 'a.id', 's.artifact_id')
    .innerJoin('releases as r', 'r.id', 's.release_id')
    .innerJoin('products as p', 'p.id', 's.product_id')
    .innerJoin('teams as t', 't.id', 's.team_id')
    .select([
      'c.id',
      'c.purl',
      'k.name',
      'c.version',
      'k.ecosystem',
      'c.scope',
      'c.direct',
      'c.licenses',
      's.current',
      'c.sbom_id',
      'r.id as release_id',
      'r.version as release_version',
      'r.created_at as release_created_at',
      'r.deployed',
      'p.id as product_id',
      'p.name as product',
      't.name as team',
      'a.id as artifact_id',
      'a.digest as artifact_digest',
      'a.name as artifact_name',
    ]);
  const m = o.match;
  s = s.where('c.id', 'in', componentIds);
  // Package, version and range were applied when the ids were chosen; qualifiers were not.
  if (m.by === 'purl' && m.purl !== undefined) s = s.where('c.purl', '=', m.purl);
  if (o.direct !== undefined) s = s.where('c.direct', '=', o.direct ? 1 : 0);
  if (!o.history) s = s.where('s.current', '=', 1);
  if (o.teamIds !== undefined) {
    if (o.teamIds.length === 0) return [];
    s = s.where('s.team_id', 'in', o.teamIds);
  }
  return s
    .orderBy('c.id', 'desc')
    .limit(o.limit + 1)
    .execute();
}

/** The distinct versions recorded for these packages, for range filtering. */
export async function versionsOf(q: Q, packageIds: readonly number[]): Promise<string[]> {
  return [...new Set((await packageVersions(q, packageIds)).map((r) => r.version as string))];
}

/**
 * Each package's recorded versions, read as a loose index scan: one seek per distinct version
 * (the next version above the last one found), so a package shipped by thousands of releases at
 * forty versions costs forty seeks, not thousands of rows (PostgreSQL has no skip scan of its own).
 */
async function packageVersions(q: Q, packageIds: readonly number[]): Promise<Run[]> {
  if (packageIds.length === 0) return [];
  const r = await packageVersionsStatement(packageIds).execute(q);
  return r.rows.map((x) => ({ packageId: x.package_id, version: x.version }));
}

function packageVersionsStatement(
  packageIds: readonly number[],
): RawBuilder<{ package_id: number; version: string }> {
  return sql`with recursive v(package_id, version) as (
      select k.id, (select min(version) from components where package_id = k.id)
        from packages k where k.id in (${sql.join(packageIds)})
      union all
      select v.package_id,
        (select min(c.version) from components c where c.package_id = v.package_id and c.version > v.version)
        from v where v.version is not null
    )
    select package_id, version from v where version is not null`;
}
