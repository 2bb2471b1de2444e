import { ratio } from '../../kpi/index.js';
import { assessSlsaLevel } from '../../policy/index.js';
import type { Q } from '../../store/db.js';
import { releaseEvidenceRows } from '../../store/kpi-release-sources.js';
import { provenanceEvidence } from '../provenance/assess-release.js';
import { isSlsaProvenance } from '../provenance/read-provenance.js';
import { buildersOf, slsaSettingsOf } from '../provenance/slsa-settings.js';
import type { Figure } from './figure.js';

/**
 * The figures read from releases' stored evidence: services at SLSA Build L2+ and L3 (by their
 * newest release), releases with reconstructable build records, releases fully pinned.
 */
export async function releaseFigures(q: Q, teamId?: number): Promise<Record<string, Figure>> {
  const rows = await releaseEvidenceRows(q, teamId);
  const artifactsOf = groupBy(rows.artifacts, (a) => a.release_id);
  const provenance = rows.attestations.filter((a) => isSlsaProvenance(a.predicate_type));
  const provenanceOf = groupBy(provenance, (a) => a.release_id);
  // A service's level is its newest release's: releases are numbered as they are created.
  const newest = new Map<number, (typeof rows.releases)[number]>();
  for (const r of rows.releases) {
    if (r.supplier === 1) continue;
    const seen = newest.get(r.product_id);
    if (!seen || seen.id < r.id) newest.set(r.product_id, r);
  }
  const levelOf = new Map<number, number>();
  let withArtifacts = 0;
  let reconstructable = 0;
  let withDependencies = 0;
  let fullyPinned = 0;
  for (const r of rows.releases) {
    const artifacts = artifactsOf.get(r.id) ?? [];
    const evidence = provenanceOf.get(r.id) ?? [];
    const a = assessSlsaLevel({
      artifacts: artifacts.map((x) => x.digest),
      provenance: evidence.map(provenanceEvidence),
      builders: buildersOf(slsaSettingsOf(r.slsa_settings)),
      rebuilds: [],
    });
    levelOf.set(r.id, a.level);
    if (artifacts.length > 0) {
      withArtifacts += 1;
      const proven = new Set(evidence.map((p) => p.artifact_digest));
      if (artifacts.every((x) => rows.logged.has(x.digest) && proven.has(x.digest)))
        reconstructable += 1;
    }
    if (a.dependencies.total > 0) {
      withDependencies += 1;
      if (a.dependencies.pinned === a.dependencies.total) fullyPinned += 1;
    }
  }
  const services = newest.size;
  let l2 = 0;
  let l3 = 0;
  for (const r of newest.values()) {
    const level = levelOf.get(r.id) ?? 0;
    if (level >= 2) l2 += 1;
    if (level >= 3) l3 += 1;
  }
  const share = (num: number, den: number): Figure => ({
    value: ratio(num, den),
    numerator: num,
    denominator: den,
  });
  return {
    'b1.services-build-l2': share(l2, services),
    'b2.services-build-l3': share(l3, services),
    'b1.reconstructable-build-records': share(reconstructable, withArtifacts),
    'b2.releases-pinned-dependencies': share(fullyPinned, withDependencies),
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
