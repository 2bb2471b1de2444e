import { type Caller, requirePermission } from '../../access/index.js';
import {
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
} from '../../store/catalogue.js';
import { signaturesOfSbom } from '../../store/sbom-signatures.js';
import type { Services } from '../services.js';
import { notFound, requireTeam, visibleTeamIds } from './team-scope.js';
import {
  type ArtifactView,
  artifactView,
  type ProductView,
  productView,
  type ReleaseView,
  releaseView,
  type SbomView,
  sbomSignatureView,
  sbomView,
  type TeamView,
  teamView,
} from './views.js';

export async function listTeamViews(s: Services, caller: Caller): Promise<TeamView[]> {
  requirePermission(caller.principal, 'inventory:read');
  const rows = await listTeams(s.db.read, caller.principal.teams);
  return rows.map(teamView);
}

export async function listProductViews(s: Services, caller: Caller): Promise<ProductView[]> {
  requirePermission(caller.principal, 'inventory:read');
  const ids = await visibleTeamIds(s, caller);
  return (await listProducts(s.db.read, ids)).map(productView);
}

export async function productByName(
  s: Services,
  caller: Caller,
  name: string,
): Promise<ProductView> {
  requirePermission(caller.principal, 'inventory:read');
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
  requirePermission(caller.principal, 'inventory:read');
  const p = await findProductById(s.db.read, productId);
  if (!p) throw notFound(`product ${productId}`);
  requireTeam(caller, p.team, `product ${productId}`);
  return (await listReleases(s.db.read, productId)).map(releaseView);
}

/** A release the caller may see, by id. @throws InventoryError INVENTORY_NOT_FOUND */
export async function visibleRelease(s: Services, caller: Caller, id: number): Promise<ReleaseRow> {
  requirePermission(caller.principal, 'inventory:read');
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
  requirePermission(caller.principal, 'inventory:read');
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
  requirePermission(caller.principal, 'inventory:read');
  const row = await findSbom(s.db.read, id);
  if (!row) throw notFound(`SBOM ${id}`);
  const release = await findReleaseById(s.db.read, row.release_id);
  if (!release) throw notFound(`SBOM ${id}`);
  requireTeam(caller, release.team, `SBOM ${id}`);
  const signatures = (await signaturesOfSbom(s.db.read, id)).map(sbomSignatureView);
  return {
    view: {
      ...sbomView(row, { product: release.product, release: release.version, team: release.team }),
      signatures,
    },
    document: () => s.blobs.get(row.digest),
  };
}
