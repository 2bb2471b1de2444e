import { assessSlsaLevel } from '../../policy/index.js';
import { evidenceFigureRows } from '../../store/release-evidence.js';
import type { Services } from '../services.js';
import { provenanceEvidence } from './assess-release.js';
import { isSlsaProvenance } from './read-provenance.js';
import { buildersOf, slsaSettingsOf } from './slsa-settings.js';

/** Organisation-wide release evidence figures, for `/metrics`. */
export interface EvidenceFigures {
  rebuilds: { total: number; matching: number; fidelity: number | null };
  suppliers: { products: number; withProvenance: number; coverage: number | null };
  /** Releases by SLSA Build level (0–3). */
  releasesByLevel: [number, number, number, number];
  dependencies: { pinned: number; floating: number };
}

/** Computed from every release's stored evidence (one read of each table). */
export async function evidenceFigures(s: Services): Promise<EvidenceFigures> {
  const rows = await evidenceFigureRows(s.db.read);
  const matching = rows.rebuilds.filter((r) => r.matches === 1).length;
  const provenance = rows.attestations.filter((a) => isSlsaProvenance(a.predicate_type));
  const releaseProduct = new Map(rows.releases.map((r) => [r.id, r.product_id]));
  const productsWithProvenance = new Set(provenance.map((a) => releaseProduct.get(a.release_id)));
  const withProvenance = rows.suppliers.filter((p) => productsWithProvenance.has(p.id)).length;
  const byLevel: [number, number, number, number] = [0, 0, 0, 0];
  let pinned = 0;
  let total = 0;
  // Grouped once: a scrape reads every release, so per-release filtering would be quadratic.
  const artifactsOf = groupBy(rows.artifacts, (x) => x.release_id);
  const provenanceOf = groupBy(provenance, (x) => x.release_id);
  for (const r of rows.releases) {
    const a = assessSlsaLevel({
      artifacts: (artifactsOf.get(r.id) ?? []).map((x) => x.digest),
      provenance: (provenanceOf.get(r.id) ?? []).map(provenanceEvidence),
      builders: buildersOf(slsaSettingsOf(r.slsa_settings)),
      rebuilds: [],
    });
    byLevel[a.level] += 1;
    pinned += a.dependencies.pinned;
    total += a.dependencies.total;
  }
  return {
    rebuilds: {
      total: rows.rebuilds.length,
      matching,
      fidelity: rows.rebuilds.length === 0 ? null : matching / rows.rebuilds.length,
    },
    suppliers: {
      products: rows.suppliers.length,
      withProvenance,
      coverage: rows.suppliers.length === 0 ? null : withProvenance / rows.suppliers.length,
    },
    releasesByLevel: byLevel,
    dependencies: { pinned, floating: total - pinned },
  };
}

function groupBy<T>(xs: readonly T[], key: (x: T) => number): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}
