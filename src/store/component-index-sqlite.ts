import type SqliteDatabase from 'better-sqlite3';
import type { IndexedComponent } from '../inventory/index.js';
import {
  type DictionaryCache,
  type DictionaryEntries,
  hashKey,
  packageKeyOf,
  splitByCommitted,
} from './component-index.js';

// Rows per multi-row INSERT. Past about a hundred rows a statement, binding dominates and larger
// statements gain nothing; all stay far under SQLite's 32,766 bound parameters.
const COMPONENT_ROWS = 128; // × 7 parameters
const LINK_ROWS = 256; // × 4 (hashes) or × 2 (licence links)
const LOOKUP_KEYS = 256;
const statements = new WeakMap<SqliteDatabase.Database, Map<string, SqliteDatabase.Statement>>();

/**
 * The SQLite path of insertComponents: dictionary ids from the committed-ids cache, then a batch
 * lookup and a batch insert of the rest; components, hashes and licence links in multi-row
 * INSERTs prepared once per database and row count. Must run inside the open transaction on `db`
 * (the Kysely writer's own connection). Returns the dictionary entries it created, for
 * commitDictionary once the transaction has committed (component-index.ts).
 */
export function insertComponentsSqlite(
  db: SqliteDatabase.Database,
  sbomId: number,
  rows: readonly IndexedComponent[],
  cache: DictionaryCache,
): DictionaryEntries {
  const created: DictionaryEntries = { packages: [], licenses: [] };
  const packageIds = packageIdsOf(db, cache, rows, created.packages);
  const licenseIds = licenseIdsOf(db, cache, rows, created.licenses);
  const hashes: [number, number, string, string][] = [];
  const links: [number, number][] = [];
  for (let i = 0; i < rows.length; i += COMPONENT_ROWS) {
    const chunk = rows.slice(i, i + COMPONENT_ROWS);
    const params: unknown[] = [];
    for (const c of chunk) {
      params.push(
        sbomId,
        packageIds.get(packageKeyOf(c)),
        c.version,
        c.purl,
        c.scope,
        c.direct ? 1 : 0,
        c.licenseText,
      );
    }
    const run = multiRow(
      db,
      'insert into components (sbom_id, package_id, version, purl, scope, direct, licenses) values',
      7,
      chunk.length,
    ).run(...params);
    // One statement's rows take consecutive rowids (max(rowid) + 1 each), so the last id names
    // them all.
    const first = Number(run.lastInsertRowid) - chunk.length + 1;
    chunk.forEach((c, j) => {
      for (const h of c.hashes) {
        if (HEX_DIGEST.test(h.value)) hashes.push([hashKey(h.value), first + j, h.alg, h.value]);
      }
      for (const l of c.licenses) links.push([licenseIds.get(l) as number, first + j]);
    });
  }
  // The link tables are clustered on their keys (WITHOUT ROWID): written in key order, the
  // inserts touch each B-tree page once instead of jumping between pages for every row.
  hashes.sort((a, b) => a[0] - b[0]);
  links.sort((a, b) => a[0] - b[0]);
  insertAll(
    db,
    'insert or ignore into component_hashes (key, component_id, alg, value) values',
    4,
    hashes.flat(),
  );
  insertAll(
    db,
    'insert or ignore into component_licenses (license_id, component_id) values',
    2,
    links.flat(),
  );
  return created;
}

const HEX_DIGEST = /^[0-9a-f]{13,}$/;

function packageIdsOf(
  db: SqliteDatabase.Database,
  cache: DictionaryCache,
  rows: readonly IndexedComponent[],
  created: [string, number][],
): Map<string, number> {
  const wanted = new Map<string, IndexedComponent>();
  for (const c of rows) {
    const k = packageKeyOf(c);
    if (!wanted.has(k)) wanted.set(k, c);
  }
  return dictionaryIds(
    db,
    cache.packages,
    { table: 'packages', column: 'package', extra: ['name', 'ecosystem'] },
    wanted,
    (c) => [c.name, c.ecosystem],
    created,
  );
}

function licenseIdsOf(
  db: SqliteDatabase.Database,
  cache: DictionaryCache,
  rows: readonly IndexedComponent[],
  created: [string, number][],
): Map<string, number> {
  const wanted = new Map<string, null>();
  for (const c of rows) for (const l of c.licenses) wanted.set(l, null);
  return dictionaryIds(
    db,
    cache.licenses,
    { table: 'licenses', column: 'name', extra: [] },
    wanted,
    () => [],
    created,
  );
}

/**
 * Ids of `wanted` keys: from the committed cache, else looked up (possibly written by an earlier
 * write of this same transaction), else inserted here; the last two are reported in `created`.
 */
function dictionaryIds<V>(
  db: SqliteDatabase.Database,
  committed: ReadonlyMap<string, number>,
  t: { table: string; column: string; extra: string[] },
  wanted: ReadonlyMap<string, V>,
  extra: (v: V) => unknown[],
  created: [string, number][],
): Map<string, number> {
  const { ids, unknown } = splitByCommitted(wanted, committed);
  for (let i = 0; i < unknown.length; i += LOOKUP_KEYS) {
    const keys = unknown.slice(i, i + LOOKUP_KEYS);
    const found = statement(
      db,
      `select id, ${t.column} as k from ${t.table} where ${t.column} in (${placeholders(keys.length)})`,
    ).all(...keys) as { id: number; k: string }[];
    for (const r of found) {
      ids.set(r.k, r.id);
      created.push([r.k, r.id]);
    }
  }
  const missing = unknown.filter((k) => !ids.has(k));
  const width = 1 + t.extra.length;
  const per = Math.floor(LOOKUP_KEYS / width) * width;
  for (let i = 0; i < missing.length; i += per) {
    const keys = missing.slice(i, i + per);
    const params: unknown[] = [];
    for (const k of keys) params.push(k, ...extra(wanted.get(k) as V));
    const inserted = multiRow(
      db,
      `insert into ${t.table} (${[t.column, ...t.extra].join(', ')}) values`,
      width,
      keys.length,
      ` returning id, ${t.column} as k`,
    ).all(...params) as { id: number; k: string }[];
    for (const r of inserted) {
      ids.set(r.k, r.id);
      created.push([r.k, r.id]);
    }
  }
  return ids;
}

/**
 * Insert `params` (rows of `width` values, flattened) in statements of up to LINK_ROWS rows, on
 * the connection's open transaction (follow-ups use it too).
 */
export function insertAll(
  db: SqliteDatabase.Database,
  head: string,
  width: number,
  params: unknown[],
): void {
  const per = LINK_ROWS * width;
  for (let i = 0; i < params.length; i += per) {
    const part = params.slice(i, i + per);
    multiRow(db, head, width, part.length / width).run(...part);
  }
}

function multiRow(
  db: SqliteDatabase.Database,
  head: string,
  width: number,
  rows: number,
  tail = '',
): SqliteDatabase.Statement {
  const row = `(${placeholders(width)})`;
  return statement(db, `${head} ${Array(rows).fill(row).join(',')}${tail}`);
}

// Statements are prepared once per database and text; the texts are few (a handful of tables,
// row counts up to the chunk sizes).
function statement(db: SqliteDatabase.Database, sql: string): SqliteDatabase.Statement {
  let byText = statements.get(db);
  if (!byText) {
    byText = new Map();
    statements.set(db, byText);
  }
  let st = byText.get(sql);
  if (!st) {
    st = db.prepare(sql);
    byText.set(sql, st);
  }
  return st;
}

function placeholders(n: number): string {
  return Array(n).fill('?').join(',');
}
