import type { Caller } from '../../access/index.js';
import type { Page, ReleaseComponent } from '../../api/index.js';
import { currentSbomsOfReleases } from '../../store/dashboard.js';
import { componentsOfSbomsPage, hashesOfComponents } from '../../store/dashboard-release.js';
import { visibleRelease } from '../inventory/read-catalogue.js';
import type { Services } from '../services.js';
import { decodeCursor, encodeCursor, invalid, limitOf } from './query.js';

export interface ReleaseComponentQuery {
  q?: string;
  limit?: string;
  cursor?: string;
}

/**
 * The components of a release's current SBOMs in index order, with licences and hashes;
 * `q` keeps those whose name or purl contains it (case-insensitive).
 * @throws InventoryError INVENTORY_NOT_FOUND, INVENTORY_QUERY_INVALID; AccessError
 */
export async function releaseComponents(
  s: Services,
  caller: Caller,
  releaseId: number,
  query: ReleaseComponentQuery,
): Promise<Page<ReleaseComponent>> {
  const r = await visibleRelease(s, caller, releaseId);
  const limit = limitOf(query.limit, 100, 500);
  const after = decodeCursor(query.cursor, ['number'] as const);
  const text = query.q?.trim();
  if (text !== undefined && text.length > 200) throw invalid('q is at most 200 characters', 'q');
  const db = s.db.read;
  const sboms = await currentSbomsOfReleases(db, [r.id]);
  const rows = await componentsOfSbomsPage(
    db,
    sboms.map((x) => x.id),
    { text, afterId: after?.[0], limit },
  );
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const hashes = await hashesOfComponents(
    db,
    page.map((c) => c.id),
  );
  const artifactOf = new Map(sboms.map((x) => [x.id, x.artifact_id]));
  const last = page[page.length - 1];
  return {
    items: page.map((c) => ({
      purl: c.purl,
      name: c.name,
      version: c.version,
      // Stored joined with ` AND ` for display (components.licenses); one entry per licence here.
      licenses: c.licenses === null ? [] : c.licenses.split(' AND ').filter((l) => l !== ''),
      hashes: hashes
        .filter((h) => h.component_id === c.id)
        .map((h) => ({ alg: h.alg, content: h.value })),
      artifactId: artifactOf.get(c.sbom_id) ?? 0,
    })),
    nextCursor: more && last ? encodeCursor([last.id]) : null,
  };
}
