import { parsePurl } from '../core/index.js';
import type { OsvAffected, OsvRecord } from '../formats/index.js';
import { type CompiledAffected, compileAffected, type VersionVerdict } from './affected.js';
import { releaseCovers, splitOsvEcosystem } from './ecosystems.js';
import { nameKey, type OsvPackageRef, osvPackageOfPurl } from './purl-package.js';

/** One advisory's entry for one package, compiled on first use. */
interface Entry {
  record: OsvRecord;
  index: number;
  release: string | undefined;
  compiled?: CompiledAffected;
}

/**
 * Advisories indexed by (OSV ecosystem, package name), so that a component is compared only with
 * the advisories for its own package. Withdrawn records are kept out (and counted).
 */
export interface AdvisoryIndex {
  /** Records indexed (not withdrawn). */
  readonly size: number;
  readonly withdrawn: number;
  /** Every advisory entry for one package, each with its record. */
  lookup(ecosystem: string, name: string): readonly Entry[];
}

/** Build the index over parsed records (pure; no range is compiled until it is needed). */
export function createAdvisoryIndex(records: Iterable<OsvRecord>): AdvisoryIndex {
  const map = new Map<string, Entry[]>();
  let size = 0;
  let withdrawn = 0;
  for (const record of records) {
    if (record.withdrawn !== undefined) {
      withdrawn++;
      continue;
    }
    size++;
    record.affected.forEach((a, index) => {
      if (a.package === undefined) return;
      const { base, release } = splitOsvEcosystem(a.package.ecosystem);
      const key = `${base}\u0000${nameKey(base, a.package.name)}`;
      const list = map.get(key);
      if (list === undefined) map.set(key, [{ record, index, release }]);
      else list.push({ record, index, release });
    });
  }
  return {
    size,
    withdrawn,
    lookup: (ecosystem, name) => map.get(`${ecosystem}\u0000${name}`) ?? [],
  };
}

/** A component found affected by an advisory. */
export interface AdvisoryHit {
  record: OsvRecord;
  /** Indexes into `record.affected` of the entries that hold the version. */
  affectedIndexes: number[];
  /** The first fixed version above the component's (none: no fix known). */
  fixed?: string;
}

/** An advisory that names the component's package but cannot say whether its version is affected. */
export interface AdvisoryProblem {
  record: OsvRecord;
  verdict: Extract<VersionVerdict, { kind: 'unparseable-version' | 'indeterminate' }>;
}

/** What the index says about one purl. */
export type PurlMatch =
  | { kind: 'matched'; ref: OsvPackageRef; hits: AdvisoryHit[]; problems: AdvisoryProblem[] }
  /** The purl is malformed, has no version, or its type maps to no OSV ecosystem. */
  | {
      kind: 'skipped';
      reason: 'purl-invalid' | 'no-version' | 'ecosystem-unknown';
      message: string;
    };

/**
 * Match one component (by purl, version included) against the index: every advisory for its
 * package whose `affected` entries (release-scoped for distributions) hold its version.
 */
export function matchPurl(index: AdvisoryIndex, purl: string): PurlMatch {
  let ref: OsvPackageRef | undefined;
  try {
    ref = osvPackageOfPurl(parsePurl(purl));
  } catch (e) {
    return { kind: 'skipped', reason: 'purl-invalid', message: (e as Error).message };
  }
  if (ref === undefined)
    return {
      kind: 'skipped',
      reason: 'ecosystem-unknown',
      message: `no OSV ecosystem for ${purl.slice(0, 40)}`,
    };
  const version = ref.version;
  if (version === undefined || version === '')
    return { kind: 'skipped', reason: 'no-version', message: `${purl} has no version` };
  const hits = new Map<OsvRecord, AdvisoryHit>();
  const problems = new Map<OsvRecord, AdvisoryProblem>();
  for (const name of ref.names) {
    for (const entry of index.lookup(ref.ecosystem, name)) {
      if (!releaseCovers(ref.ecosystem, entry.release, ref.release)) continue;
      entry.compiled ??= compileAffected(entry.record.affected[entry.index] as OsvAffected);
      const verdict = entry.compiled.evaluate(version);
      if (verdict.kind === 'affected') {
        const hit = hits.get(entry.record) ?? { record: entry.record, affectedIndexes: [] };
        if (!hit.affectedIndexes.includes(entry.index)) hit.affectedIndexes.push(entry.index);
        if (verdict.fixed !== undefined && hit.fixed === undefined) hit.fixed = verdict.fixed;
        hits.set(entry.record, hit);
      } else if (verdict.kind !== 'not-affected' && !problems.has(entry.record)) {
        problems.set(entry.record, { record: entry.record, verdict });
      }
    }
  }
  for (const r of hits.keys()) problems.delete(r);
  return { kind: 'matched', ref, hits: [...hits.values()], problems: [...problems.values()] };
}
