import { versContains } from '../../core/vers/index.js';
import { readSbom } from '../../formats/index.js';
import { InventoryError } from '../../inventory/errors.js';
import { type ComponentQuery, encodeCursor } from '../../inventory/query.js';
import { diffSboms, type SbomDiff } from '../../sbom/diff/index.js';
import type { SbomDocument } from '../../sbom/index.js';
import {
  currentSbomsOfRelease,
  findProduct,
  findProductById,
  findRelease,
  findReleaseById,
  findSbom,
  listArtifacts,
  listProducts,
  listReleases,
  listTeams,
  type ReleaseRow,
  sbomsOfRelease,
} from '../../store/inventory.js';
import {
  packageIdsFor,
  searchComponents,
  versionsOf,
  writeGeneration,
} from '../../store/search.js';
import { requirePermission, requireTeam, visibleTeamIds } from './access.js';
import type { Caller, Services } from './context.js';
import {
  type ArtifactView,
  artifactView,
  type ComponentHitView,
  hitView,
  type ProductView,
  productView,
  type ReleaseView,
  releaseView,
  type SbomView,
  sbomView,
  type TeamView,
  teamView,
} from './views.js';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
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
  requirePermission(caller, 'inventory:read');
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
  const rows = await searchComponents(
    db,
    {
      match: m,
      ...(versions !== undefined ? { versions } : {}),
      ...(query.direct !== undefined ? { direct: query.direct } : {}),
      history: query.history,
      ...(teamIds !== undefined ? { teamIds } : {}),
      limit: query.limit,
      ...(query.before !== undefined ? { before: query.before } : {}),
    },
    packageIds,
  );
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  return {
    items: page.map(hitView),
    nextCursor: more ? encodeCursor((page[page.length - 1] as { id: number }).id) : null,
  };
}

// A version the scheme cannot read is simply not in the range (it is reported, not fatal).
function safeContains(range: Parameters<typeof versContains>[0], v: string): boolean {
  try {
    return versContains(range, v);
  } catch {
    return false;
  }
}

export async function listTeamViews(s: Services, caller: Caller): Promise<TeamView[]> {
  requirePermission(caller, 'inventory:read');
  const rows = await listTeams(s.db.read, caller.principal.teams);
  return rows.map(teamView);
}

export async function listProductViews(s: Services, caller: Caller): Promise<ProductView[]> {
  requirePermission(caller, 'inventory:read');
  const ids = await visibleTeamIds(s, caller);
  return (await listProducts(s.db.read, ids)).map(productView);
}

export async function productByName(
  s: Services,
  caller: Caller,
  name: string,
): Promise<ProductView> {
  requirePermission(caller, 'inventory:read');
  const p = await findProduct(s.db.read, name);
  if (!p) throw notFound(`product ${name}`);
  requireTeam(caller, p.team, `product ${name}`);
  return productView(p);
}

export async function releasesOfProduct(
  s: Services,
  caller: Caller,
  productId: number,
): Promise<ReleaseView[]> {
  requirePermission(caller, 'inventory:read');
  const p = await findProductById(s.db.read, productId);
  if (!p) throw notFound(`product ${productId}`);
  requireTeam(caller, p.team, `product ${productId}`);
  return (await listReleases(s.db.read, productId)).map(releaseView);
}

/** A release the caller may see, by id. @throws InventoryError INVENTORY_NOT_FOUND */
export async function visibleRelease(s: Services, caller: Caller, id: number): Promise<ReleaseRow> {
  requirePermission(caller, 'inventory:read');
  const r = await findReleaseById(s.db.read, id);
  if (!r) throw notFound(`release ${id}`);
  requireTeam(caller, r.team, `release ${id}`);
  return r;
}

export async function releaseByVersion(
  s: Services,
  caller: Caller,
  product: string,
  version: string,
): Promise<ReleaseRow> {
  requirePermission(caller, 'inventory:read');
  const p = await findProduct(s.db.read, product);
  if (!p) throw notFound(`product ${product}`);
  requireTeam(caller, p.team, `product ${product}`);
  const r = await findRelease(s.db.read, p.id, version);
  if (!r) throw notFound(`release ${product} ${version}`);
  return r;
}

export interface ReleaseDetail extends ReleaseView {
  artifacts: (ArtifactView & { sboms: SbomView[] })[];
}

export async function releaseDetail(
  s: Services,
  caller: Caller,
  id: number,
): Promise<ReleaseDetail> {
  const r = await visibleRelease(s, caller, id);
  const [artifacts, sboms] = await Promise.all([
    listArtifacts(s.db.read, id),
    sbomsOfRelease(s.db.read, id),
  ]);
  return {
    ...releaseView(r),
    artifacts: artifacts.map((a) => ({
      ...artifactView(a),
      sboms: sboms.filter((x) => x.artifact_id === a.id).map((x) => sbomView(x)),
    })),
  };
}

/** An SBOM's record and, on request, its document exactly as it was pushed. */
export async function sbomById(
  s: Services,
  caller: Caller,
  id: number,
): Promise<{ view: SbomView; document: () => Buffer }> {
  requirePermission(caller, 'inventory:read');
  const row = await findSbom(s.db.read, id);
  if (!row) throw notFound(`SBOM ${id}`);
  const release = await findReleaseById(s.db.read, row.release_id);
  if (!release) throw notFound(`SBOM ${id}`);
  requireTeam(caller, release.team, `SBOM ${id}`);
  return {
    view: sbomView(row, { product: release.product, release: release.version, team: release.team }),
    document: () => s.blobs.get(row.digest),
  };
}

export interface ReleaseDiff {
  from: ReleaseView;
  to: ReleaseView;
  diff: SbomDiff;
}

/**
 * The SBOM diff (issue [1]) between two releases: each release's current SBOMs merged into one
 * component list, `against` taken as the old side.
 */
export async function diffReleases(
  s: Services,
  caller: Caller,
  id: number,
  against: number,
): Promise<ReleaseDiff> {
  const [to, from] = await Promise.all([
    visibleRelease(s, caller, id),
    visibleRelease(s, caller, against),
  ]);
  const [a, b] = await Promise.all([releaseDocument(s, from), releaseDocument(s, to)]);
  return { from: releaseView(from), to: releaseView(to), diff: diffSboms(a, b) };
}

async function releaseDocument(s: Services, r: ReleaseRow): Promise<SbomDocument> {
  const sboms = await currentSbomsOfRelease(s.db.read, r.id);
  if (sboms.length === 0) {
    throw notFound(`an SBOM for release ${r.product} ${r.version}`);
  }
  const docs = sboms.map((x) => readSbom(s.blobs.get(x.digest), `SBOM ${x.id}`).document);
  const first = docs[0] as SbomDocument;
  if (docs.length === 1) return first;
  const seen = new Set<string>();
  const components = docs
    .flatMap((d) => d.components)
    .filter((c) => {
      const k = c.purl ?? `${c.ecosystem}/${c.name}@${c.version ?? ''}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  return { ...first, components };
}

function notFound(what: string): InventoryError {
  return new InventoryError('INVENTORY_NOT_FOUND', `${what} does not exist`);
}
