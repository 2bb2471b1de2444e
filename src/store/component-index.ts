import { sql } from 'kysely';
import type { IndexedComponent } from '../inventory/index.js';
import type { Q } from './db.js';

// The component index: one row per component of each SBOM, pointing into the package and licence
// dictionaries, and its hashes keyed by their first 52 bits, so that search.ts finds components
// by purl, name, hash or licence through an index. SQLite writes it with component-index-sqlite.ts.

// Rows per statement on PostgreSQL: each column goes as one array parameter (INSERT … SELECT FROM
// unnest), so the bound-parameter limit does not apply; the chunk only bounds one message's size.
const CHUNK = 5_000;
/** Dictionary entries kept in memory per database; past this the cache starts again. */
const CACHE_LIMIT = 250_000;

/** The dictionary key of a component: its package key, or `~ecosystem/name` without a purl. */
export function packageKeyOf(c: IndexedComponent): string {
  return c.package ?? `~${c.ecosystem ?? ''}/${c.name}`;
}

/**
 * Ids of package and licence dictionary entries that are committed: the only ones a later
 * transaction may take without looking them up. A write's new entries wait in its
 * DictionaryEntries until that write has committed (commitDictionary), so that a rolled-back
 * write leaves no id in the cache.
 */
export interface DictionaryCache {
  packages: Map<string, number>;
  licenses: Map<string, number>;
}

/**
 * The dictionary ids one write took from the database (looked up or inserted), to be cached once
 * (and only if) it commits: then every one of them is committed, since an entry the write found
 * was either committed before or inserted earlier in the same transaction.
 */
export interface DictionaryEntries {
  packages: [string, number][];
  licenses: [string, number][];
}

const caches = new WeakMap<object, DictionaryCache>();

/** The committed-ids cache of the database `owner` stands for (one per open database). */
export function dictionaryCache(owner: object): DictionaryCache {
  let c = caches.get(owner);
  if (!c) {
    c = { packages: new Map(), licenses: new Map() };
    caches.set(owner, c);
  }
  return c;
}

/** Cache the entries of a write that has committed (never before its commit). */
export function commitDictionary(cache: DictionaryCache, entries: DictionaryEntries): void {
  for (const [map, list] of [
    [cache.packages, entries.packages],
    [cache.licenses, entries.licenses],
  ] as const) {
    if (map.size + list.length > CACHE_LIMIT) map.clear();
    for (const [k, id] of list) map.set(k, id);
  }
}

/**
 * Insert the index rows of one SBOM on PostgreSQL: components (pointing into the package
 * dictionary), their hashes and their licences, each table in INSERT … SELECT FROM unnest of one
 * array per column (COPY's row rate without a COPY driver). Component ids are drawn from the
 * sequence first, so each hash and licence row names its component without relying on the order
 * RETURNING lists rows in. Returns the dictionary entries it created (see DictionaryCache).
 */
export async function insertComponents(
  q: Q,
  sbomId: number,
  rows: readonly IndexedComponent[],
  cache: DictionaryCache,
): Promise<DictionaryEntries> {
  const created: DictionaryEntries = { packages: [], licenses: [] };
  const wantedPackages = new Map<string, IndexedComponent>();
  for (const c of rows) {
    const k = packageKeyOf(c);
    if (!wantedPackages.has(k)) wantedPackages.set(k, c);
  }
  const packages = await dictionaryIds(
    q,
    cache.packages,
    'packages',
    wantedPackages,
    created.packages,
  );
  const wantedLicenses = new Map<string, null>();
  for (const c of rows) for (const l of c.licenses) wantedLicenses.set(l, null);
  const licenses = await dictionaryIds(
    q,
    cache.licenses,
    'licenses',
    wantedLicenses,
    created.licenses,
  );
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const ids = (
      await sql<{
        id: number;
      }>`select nextval(pg_get_serial_sequence('components', 'id'))::int as id from generate_series(1, ${chunk.length})`.execute(
        q,
      )
    ).rows.map((r) => r.id);
    await sql`insert into components (id, sbom_id, package_id, version, purl, scope, direct, licenses)
      select id, ${sbomId}::int, package_id, version, purl, scope, direct, licenses
      from unnest(${ids}::int[], ${chunk.map((c) => packages.get(packageKeyOf(c)))}::int[],
        ${chunk.map((c) => c.version)}::text[], ${chunk.map((c) => c.purl)}::text[],
        ${chunk.map((c) => c.scope)}::text[], ${chunk.map((c) => (c.direct ? 1 : 0))}::int[],
        ${chunk.map((c) => c.licenseText)}::text[])
        as t(id, package_id, version, purl, scope, direct, licenses)`.execute(q);
    const hashes: { key: number[]; id: number[]; alg: string[]; value: string[] } = {
      key: [],
      id: [],
      alg: [],
      value: [],
    };
    const links: { license: number[]; id: number[] } = { license: [], id: [] };
    chunk.forEach((c, j) => {
      const componentId = ids[j] as number;
      const seen = new Set<string>();
      for (const h of c.hashes) {
        if (!HEX_DIGEST.test(h.value) || seen.has(h.alg)) continue;
        seen.add(h.alg);
        hashes.key.push(hashKey(h.value));
        hashes.id.push(componentId);
        hashes.alg.push(h.alg);
        hashes.value.push(h.value);
      }
      for (const l of c.licenses) {
        links.license.push(licenses.get(l) as number);
        links.id.push(componentId);
      }
    });
    if (hashes.id.length > 0) {
      await sql`insert into component_hashes (key, component_id, alg, value)
        select * from unnest(${hashes.key}::bigint[], ${hashes.id}::int[], ${hashes.alg}::text[], ${hashes.value}::text[])`.execute(
        q,
      );
    }
    if (links.id.length > 0) {
      await sql`insert into component_licenses (license_id, component_id)
        select * from unnest(${links.license}::int[], ${links.id}::int[])`.execute(q);
    }
  }
  return created;
}

const HEX_DIGEST = /^[0-9a-f]{13,}$/;

/** The index key of a hex digest: its first 52 bits, exact in a JavaScript number and a BIGINT. */
/** The ids of `wanted` already committed, and the keys the database must be asked for. */
export function splitByCommitted(
  wanted: ReadonlyMap<string, unknown>,
  committed: ReadonlyMap<string, number>,
): { ids: Map<string, number>; unknown: string[] } {
  const ids = new Map<string, number>();
  const unknown: string[] = [];
  for (const k of wanted.keys()) {
    const id = committed.get(k);
    if (id === undefined) unknown.push(k);
    else ids.set(k, id);
  }
  return { ids, unknown };
}

export function hashKey(hex: string): number {
  return Number.parseInt(hex.slice(0, 13), 16);
}

/**
 * Ids of dictionary entries (packages or licences): from the committed cache, else looked up
 * (another write may have added them), else inserted here — inside the ingest transaction, so a
 * failed ingest leaves no new entries behind. Those not from the cache are reported in `created`.
 */
async function dictionaryIds<V extends IndexedComponent | null>(
  q: Q,
  committed: ReadonlyMap<string, number>,
  table: 'packages' | 'licenses',
  wanted: ReadonlyMap<string, V>,
  created: [string, number][],
): Promise<Map<string, number>> {
  const { ids, unknown } = splitByCommitted(wanted, committed);
  if (unknown.length === 0) return ids;
  const column = table === 'packages' ? sql.ref('package') : sql.ref('name');
  const lookup = async (keys: string[]) => {
    const found = await sql<{
      id: number;
      k: string;
    }>`select id, ${column} as k from ${sql.table(table)}
      where ${column} = any(${keys}::text[])`.execute(q);
    for (const r of found.rows) {
      ids.set(r.k, r.id);
      created.push([r.k, r.id]);
    }
  };
  await lookup(unknown);
  const missing = unknown.filter((k) => !ids.has(k));
  if (missing.length === 0) return ids;
  // ON CONFLICT: another transaction may add the same entry meanwhile; the lookup after finds it.
  const inserted =
    table === 'packages'
      ? await sql<{ id: number; k: string }>`insert into packages (package, name, ecosystem)
          select * from unnest(${missing}::text[],
            ${missing.map((k) => (wanted.get(k) as IndexedComponent).name)}::text[],
            ${missing.map((k) => (wanted.get(k) as IndexedComponent).ecosystem)}::text[])
          on conflict (package) do nothing returning id, package as k`.execute(q)
      : await sql<{ id: number; k: string }>`insert into licenses (name)
          select * from unnest(${missing}::text[])
          on conflict (name) do nothing returning id, name as k`.execute(q);
  for (const r of inserted.rows) {
    ids.set(r.k, r.id);
    created.push([r.k, r.id]);
  }
  const raced = missing.filter((k) => !ids.has(k));
  if (raced.length > 0) await lookup(raced);
  return ids;
}
