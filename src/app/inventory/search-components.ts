import { type Caller, requirePermission } from '../../access/index.js';
import { versContains } from '../../core/vers/index.js';
import {
  type ComponentQuery,
  type ComponentQueryParams,
  encodeCursor,
  MAX_LIMIT,
  parseComponentQuery,
} from '../../inventory/index.js';
import { writeGeneration } from '../../store/generation.js';
import {
  explainSearch,
  packageIdsFor,
  type SearchOptions,
  type SearchPlan,
  searchComponents,
  searchComponentViews,
  versionsOf,
} from '../../store/search.js';
import type { Services } from '../services.js';
import { visibleTeamIds } from './team-scope.js';
import { type ComponentHitView, hitView, type Page } from './views.js';

/** The largest page a search answers. */
export const MAX_SEARCH_LIMIT = MAX_LIMIT;

/**
 * A search as the API asks for it: query-string parameters, validated here.
 * @throws InventoryError INVENTORY_QUERY_INVALID naming the parameter at fault
 */
export async function findComponents(
  s: Services,
  caller: Caller,
  params: ComponentQueryParams,
  opts: { fresh?: boolean } = {},
): Promise<Page<ComponentHitView>> {
  return searchInventory(s, caller, parseComponentQuery(params), opts);
}

/**
 * `findComponents`' answer as the JSON text of its page, the same value (a test compares them):
 * purl and name searches' rows arrive as JSON text from the database and are joined into the body
 * as they are, not parsed into objects only to be serialized again.
 * @throws InventoryError INVENTORY_QUERY_INVALID naming the parameter at fault
 */
export async function findComponentsJson(
  s: Services,
  caller: Caller,
  params: ComponentQueryParams,
  opts: { fresh?: boolean } = {},
): Promise<string> {
  const query = parseComponentQuery(params);
  const by = query.match.by;
  if ((!opts.fresh && s.searchCache) || by === 'hash' || by === 'license') {
    return JSON.stringify(await searchInventory(s, caller, query, opts));
  }
  requirePermission(caller.principal, 'inventory:read');
  const { options, packageIds } = await storeSearch(s, caller, query);
  const rows = (await searchComponentViews(s.db.read, options, packageIds)) ?? [];
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const next = more ? encodeCursor((page[page.length - 1] as { id: number }).id) : null;
  return `{"items":[${page.map((r) => r.json).join(',')}],"nextCursor":${JSON.stringify(next)}}`;
}

/**
 * "Where do we ship X?": the components matching the query across every product the caller may
 * see. A version range is resolved against the distinct versions recorded for the package (tens,
 * not millions), and the rows are then fetched by exact version through the index.
 */
export async function searchInventory(
  s: Services,
  caller: Caller,
  query: ComponentQuery,
  opts: { fresh?: boolean } = {},
): Promise<Page<ComponentHitView>> {
  requirePermission(caller.principal, 'inventory:read');
  const db = s.db.read;
  const cache = opts.fresh ? undefined : s.searchCache;
  let key: string | undefined;
  let generation = 0;
  if (cache) {
    key = JSON.stringify([caller.principal.teams ?? null, query]);
    generation = await writeGeneration(db);
    const hit = cache.get(key, generation);
    if (hit) return hit;
  }
  const page = await runSearch(s, caller, query);
  if (cache && key !== undefined) cache.set(key, generation, page);
  return page;
}

async function runSearch(
  s: Services,
  caller: Caller,
  query: ComponentQuery,
): Promise<Page<ComponentHitView>> {
  const { options, packageIds } = await storeSearch(s, caller, query);
  const rows = await searchComponents(s.db.read, options, packageIds);
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  return {
    items: page.map(hitView),
    nextCursor: more ? encodeCursor((page[page.length - 1] as { id: number }).id) : null,
  };
}

/**
 * The database's plans for the statements a search runs for its first page (benchmarks print
 * them; tests check that they read the index).
 */
export async function explainComponentSearch(
  s: Pick<Services, 'db'>,
  caller: Caller,
  query: ComponentQuery,
): Promise<SearchPlan[]> {
  const { options, packageIds } = await storeSearch(s, caller, query);
  return packageIds ? explainSearch(s.db.read, options, packageIds) : [];
}

/** The query in the store's terms: package ids, the versions a range selects, team ids. */
async function storeSearch(
  s: Pick<Services, 'db'>,
  caller: Caller,
  query: ComponentQuery,
): Promise<{ options: SearchOptions; packageIds: number[] | undefined }> {
  const db = s.db.read;
  const m = query.match;
  let versions: string[] | undefined;
  let packageIds: number[] | undefined;
  if (m.by === 'purl' || m.by === 'name') {
    packageIds = await packageIdsFor(db, m);
    if (m.range !== undefined) {
      const range = m.range;
      versions = (await versionsOf(db, packageIds)).filter((v) => safeContains(range, v));
    }
  }
  const teamIds = await visibleTeamIds(s, caller);
  const options: SearchOptions = {
    match: m,
    ...(versions !== undefined ? { versions } : {}),
    ...(query.direct !== undefined ? { direct: query.direct } : {}),
    history: query.history,
    ...(teamIds !== undefined ? { teamIds } : {}),
    limit: query.limit,
    ...(query.before !== undefined ? { before: query.before } : {}),
  };
  return { options, packageIds };
}

// A version the scheme cannot read is simply not in the range (it is reported, not fatal).
function safeContains(range: Parameters<typeof versContains>[0], v: string): boolean {
  try {
    return versContains(range, v);
  } catch {
    return false;
  }
}
