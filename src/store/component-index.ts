import type { Insertable, Kysely } from 'kysely';
import type { IndexedComponent } from '../inventory/index.js';
import type { Q } from './db.js';
import type { Database } from './schema.js';

// The component index: one row per component of each SBOM, pointing into the package and licence
// dictionaries, and its hashes keyed by their first 52 bits, so that search.ts finds components
// by purl, name, hash or licence through an index. SQLite writes it with component-index-sqlite.ts.

// SQLite allows 32,766 bound parameters per statement, PostgreSQL 65,535; 7 columns × 500 rows
// stays well under both while keeping the number of round trips low.
const CHUNK = 500;

/** The dictionary key of a component: its package key, or `~ecosystem/name` without a purl. */
export function packageKeyOf(c: IndexedComponent): string {
  return c.package ?? `~${c.ecosystem ?? ''}/${c.name}`;
}

/**
 * Insert the index rows of one SBOM: components (pointing into the package dictionary), their
 * hashes and their licences.
 */
export async function insertComponents(
  q: Q,
  sbomId: number,
  rows: readonly IndexedComponent[],
): Promise<void> {
  const packages = await dictionaryIds(
    q,
    'packages',
    'package',
    new Map(rows.map((c) => [packageKeyOf(c), { name: c.name, ecosystem: c.ecosystem }])),
  );
  const licenseNames = new Map<string, Record<string, never>>();
  for (const c of rows) for (const l of c.licenses) licenseNames.set(l, {});
  const licenses = await dictionaryIds(q, 'licenses', 'name', licenseNames);
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const values = chunk.map((c) => ({
      sbom_id: sbomId,
      package_id: packages.get(packageKeyOf(c)) as number,
      version: c.version,
      purl: c.purl,
      scope: c.scope,
      direct: c.direct ? 1 : 0,
      licenses: c.licenseText,
    }));
    const ids = await insertReturningIds(q, values);
    const hashes: Insertable<Database['component_hashes']>[] = [];
    const links: Insertable<Database['component_licenses']>[] = [];
    chunk.forEach((c, j) => {
      const componentId = ids[j] as number;
      const seen = new Set<string>();
      for (const h of c.hashes) {
        if (!/^[0-9a-f]{13,}$/.test(h.value) || seen.has(h.alg)) continue;
        seen.add(h.alg);
        hashes.push({
          key: hashKey(h.value),
          component_id: componentId,
          alg: h.alg,
          value: h.value,
        });
      }
      for (const l of c.licenses) {
        links.push({ license_id: licenses.get(l) as number, component_id: componentId });
      }
    });
    for (let k = 0; k < hashes.length; k += CHUNK) {
      await q
        .insertInto('component_hashes')
        .values(hashes.slice(k, k + CHUNK))
        .execute();
    }
    for (let k = 0; k < links.length; k += CHUNK * 2) {
      await q
        .insertInto('component_licenses')
        .values(links.slice(k, k + CHUNK * 2))
        .execute();
    }
  }
}

/** The index key of a hex digest: its first 52 bits, exact in a JavaScript number and a BIGINT. */
export function hashKey(hex: string): number {
  return Number.parseInt(hex.slice(0, 13), 16);
}

/**
 * Ids of dictionary entries (packages or licences), inserting the missing ones. Runs inside the
 * ingest transaction, so a failed ingest leaves no new entries behind.
 */
async function dictionaryIds<E extends Record<string, unknown>>(
  q: Q,
  table: 'packages' | 'licenses',
  column: 'package' | 'name',
  entries: ReadonlyMap<string, E>,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const keys = [...entries.keys()];
  // biome-ignore lint/suspicious/noExplicitAny: one code path for two dictionary tables
  const db = q as Kysely<any>;
  const lookup = async (wanted: string[]) => {
    for (let i = 0; i < wanted.length; i += CHUNK) {
      const rows = await db
        .selectFrom(table)
        .select(['id', `${column} as k`])
        .where(column, 'in', wanted.slice(i, i + CHUNK))
        .execute();
      for (const r of rows as { id: number; k: string }[]) ids.set(r.k, r.id);
    }
  };
  await lookup(keys);
  const missing = keys.filter((k) => !ids.has(k));
  if (missing.length > 0) {
    for (let i = 0; i < missing.length; i += CHUNK) {
      const values = missing.slice(i, i + CHUNK).map((k) => ({ [column]: k, ...entries.get(k) }));
      await db
        .insertInto(table)
        .values(values)
        .onConflict((oc) => oc.column(column).doNothing())
        .execute();
    }
    await lookup(missing);
  }
  return ids;
}

async function insertReturningIds(
  q: Q,
  values: Insertable<Database['components']>[],
): Promise<number[]> {
  // Neither database promises RETURNING rows in VALUES order, but both hand out the ids of one
  // statement's rows in increasing order (SQLite's rowid, PostgreSQL's sequence), so sorting maps
  // them back to the rows.
  const rows = await q.insertInto('components').values(values).returning('id').execute();
  return rows.map((r) => r.id).sort((a, b) => a - b);
}
