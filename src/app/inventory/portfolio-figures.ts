import { type Caller, requirePermission } from '../../access/index.js';
import {
  coverageCounts,
  deployedReleases,
  qualityHistogram,
  signedByTeam,
} from '../../store/portfolio.js';
import type { Services } from '../services.js';
import { visibleTeamIds } from './team-scope.js';

export interface PortfolioFigures {
  generatedAt: string;
  coverage: {
    products: number;
    releases: number;
    releasesWithSbom: number;
    /** 0–1 */
    releaseCoverage: number;
    artifacts: number;
    artifactsWithSbom: number;
    artifactCoverage: number;
    /** Artifacts whose current SBOM is signed (a verified bundle by a team signing identity). */
    artifactsWithSignedSbom: number;
    signedCoverage: number;
  };
  /** Brief 4's first metric: the share of current SBOMs that are signed, overall and per team. */
  signed: {
    currentSboms: number;
    signedSboms: number;
    /** 0–1 */
    share: number;
    teams: { team: string; currentSboms: number; signedSboms: number; share: number }[];
  };
  freshness: {
    deployedReleases: number;
    /** Deployed releases with no SBOM at all: the drift the brief asks to surface. */
    withoutSbom: { id: number; product: string; version: string }[];
    medianAgeDays: number | null;
    maxAgeDays: number | null;
    /** Deployed releases whose newest SBOM is older than their last rebuild. */
    stale: {
      id: number;
      product: string;
      version: string;
      newestSbom: string;
      rebuiltAt: string;
    }[];
  };
  quality: {
    sboms: number;
    meanScore: number | null;
    /** count of current SBOMs scoring [i, i+1) for i = 0…9, and exactly 10 in the last */
    histogram: number[];
  };
  index: { sboms: number; currentSboms: number; components: number };
}

const LIST_LIMIT = 100;

/** Coverage, freshness and quality across the caller's portfolio (Brief 4's metrics). */
export async function portfolioFigures(s: Services, caller: Caller): Promise<PortfolioFigures> {
  requirePermission(caller.principal, 'inventory:read');
  const ids = await visibleTeamIds(s, caller);
  const db = s.db.read;
  const [c, deployed, q, byTeam] = await Promise.all([
    coverageCounts(db, ids),
    deployedReleases(db, ids),
    qualityHistogram(db, ids),
    signedByTeam(db, ids),
  ]);
  const now = s.clock();
  const ages: number[] = [];
  const stale: PortfolioFigures['freshness']['stale'] = [];
  const withoutSbom: PortfolioFigures['freshness']['withoutSbom'] = [];
  for (const r of deployed) {
    if (r.newest === null) {
      withoutSbom.push({ id: r.id, product: r.product, version: r.version });
      continue;
    }
    ages.push((now.getTime() - Date.parse(r.newest)) / 86_400_000);
    if (r.rebuilt_at !== null && Date.parse(r.newest) < Date.parse(r.rebuilt_at)) {
      stale.push({
        id: r.id,
        product: r.product,
        version: r.version,
        newestSbom: r.newest,
        rebuiltAt: r.rebuilt_at,
      });
    }
  }
  ages.sort((a, b) => a - b);
  return {
    generatedAt: now.toISOString(),
    coverage: {
      products: c.products,
      releases: c.releases,
      releasesWithSbom: c.releasesWithSbom,
      releaseCoverage: ratio(c.releasesWithSbom, c.releases),
      artifacts: c.artifacts,
      artifactsWithSbom: c.artifactsWithSbom,
      artifactCoverage: ratio(c.artifactsWithSbom, c.artifacts),
      artifactsWithSignedSbom: c.artifactsWithSignedSbom,
      signedCoverage: ratio(c.artifactsWithSignedSbom, c.artifacts),
    },
    signed: {
      currentSboms: c.currentSboms,
      signedSboms: c.artifactsWithSignedSbom,
      share: ratio(c.artifactsWithSignedSbom, c.currentSboms),
      teams: byTeam.map((t) => ({ ...t, share: ratio(t.signedSboms, t.currentSboms) })),
    },
    freshness: {
      deployedReleases: deployed.length,
      withoutSbom: withoutSbom.slice(0, LIST_LIMIT),
      medianAgeDays:
        ages.length === 0 ? null : round(ages[Math.floor((ages.length - 1) / 2)] as number),
      maxAgeDays: ages.length === 0 ? null : round(ages[ages.length - 1] as number),
      stale: stale.slice(0, LIST_LIMIT),
    },
    quality: {
      sboms: q.count,
      meanScore: q.count === 0 ? null : Math.round(q.sumTenths / q.count) / 10,
      histogram: q.histogram,
    },
    index: { sboms: c.sboms, currentSboms: c.currentSboms, components: c.indexedComponents },
  };
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : Math.round((a / b) * 1000) / 1000;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
