import type { Caller } from '../../access/index.js';
import { readSbom } from '../../formats/index.js';
import { diffSboms, type SbomDiff } from '../../sbom/diff/index.js';
import type { SbomDocument } from '../../sbom/index.js';
import { currentSbomsOfRelease, type ReleaseRow } from '../../store/catalogue.js';
import type { Services } from '../services.js';
import { visibleRelease } from './read-catalogue.js';
import { notFound } from './team-scope.js';
import { type ReleaseView, releaseView } from './views.js';

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
