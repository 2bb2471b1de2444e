import type { CatalogResult, Component, SbomDocument } from '../model.js';
import { digestConflicts } from './hashes.js';
import { identityOf } from './identity.js';
import { compareStrings, type IndexedPackage, indexPackages } from './package-index.js';

/** A package at one version, as the report names it. */
export interface AlignedPackage {
  /** Identity key (`npm/@babel/core`). */
  identity: string;
  /** '' when the component has none. */
  version: string;
  /** The component's ref in the SBOM (shadows) or the lockfile's result (omissions). */
  ref: string;
  purl?: string;
  /** Lockfile the package came from (omissions). */
  sourcePath?: string;
}

export interface VersionMismatch {
  identity: string;
  /** Versions only the SBOM has for this package, sorted. */
  sbomVersions: string[];
  /** Versions only the lockfiles have, sorted. */
  lockVersions: string[];
}

export interface HashMismatch {
  identity: string;
  version: string;
  /** Normalised algorithm (`SHA512`). */
  alg: string;
  sbom: string[];
  lock: string[];
}

export interface AlignReport {
  /** No omissions, shadows, version or hash mismatches. */
  ok: boolean;
  /** purl types the lockfiles cover; shadows are looked for only in these. */
  ecosystems: string[];
  /** Package versions present on both sides. */
  matched: number;
  omissions: AlignedPackage[];
  shadows: AlignedPackage[];
  versionMismatches: VersionMismatch[];
  hashMismatches: HashMismatch[];
}

/**
 * Compare an SBOM with what the lockfiles resolved. Packages are matched by identity (purl type,
 * namespace, name; see identityOf), then by exact version; versions left over on both sides of one
 * identity are a version mismatch, on one side only an omission or a shadow. Same name@version with
 * the same algorithm but no digest in common is a hash mismatch. The SBOM's subject and the
 * lockfiles' root projects are left out. Results are sorted by identity and version.
 */
export function alignSbom(doc: SbomDocument, lock: readonly CatalogResult[]): AlignReport {
  const lockComponents = lock.flatMap((r) => r.components.map((c) => withSource(c, r.sourcePath)));
  const ecosystems = new Set(lockComponents.map((c) => identityOf(c).type));
  const excluded = subjectKeys(doc, lock);
  const sbomIndex = indexPackages(doc.components.filter((c) => !isExcluded(c, excluded, doc)));
  const lockIndex = indexPackages(lockComponents.filter((c) => !excluded.has(identityOf(c).key)));
  const report: AlignReport = {
    ok: true,
    ecosystems: [...ecosystems].sort(compareStrings),
    matched: 0,
    omissions: [],
    shadows: [],
    versionMismatches: [],
    hashMismatches: [],
  };
  const keys = [...new Set([...sbomIndex.keys(), ...lockIndex.keys()])].sort(compareStrings);
  for (const key of keys) compareOne(sbomIndex.get(key), lockIndex.get(key), ecosystems, report);
  report.ok =
    report.omissions.length +
      report.shadows.length +
      report.versionMismatches.length +
      report.hashMismatches.length ===
    0;
  return report;
}

function compareOne(
  sbom: IndexedPackage | undefined,
  lock: IndexedPackage | undefined,
  ecosystems: ReadonlySet<string>,
  report: AlignReport,
): void {
  const identity = (sbom ?? lock)?.identity;
  if (!identity) return;
  if (sbom && !ecosystems.has(identity.type)) return; // not something the lockfiles could list
  const sv = sbom ? [...sbom.versions.keys()] : [];
  const lv = lock ? [...lock.versions.keys()] : [];
  const sbomOnly = sv.filter((v) => !lock?.versions.has(v)).sort(compareStrings);
  const lockOnly = lv.filter((v) => !sbom?.versions.has(v)).sort(compareStrings);
  for (const v of sv.filter((x) => lock?.versions.has(x)).sort(compareStrings)) {
    report.matched++;
    const conflicts = digestConflicts(sbom?.versions.get(v) ?? [], lock?.versions.get(v) ?? []);
    for (const c of conflicts) {
      report.hashMismatches.push({
        identity: identity.key,
        version: v,
        alg: c.alg,
        sbom: c.before,
        lock: c.after,
      });
    }
  }
  if (sbomOnly.length > 0 && lockOnly.length > 0) {
    report.versionMismatches.push({
      identity: identity.key,
      sbomVersions: sbomOnly,
      lockVersions: lockOnly,
    });
    return;
  }
  for (const v of lockOnly)
    report.omissions.push(aligned(identity.key, v, lock?.versions.get(v)?.[0]));
  for (const v of sbomOnly)
    report.shadows.push(aligned(identity.key, v, sbom?.versions.get(v)?.[0]));
}

function aligned(identity: string, version: string, c: Component | undefined): AlignedPackage {
  const out: AlignedPackage = { identity, version, ref: c?.ref ?? '' };
  if (c?.purl !== undefined) out.purl = c.purl;
  if (c?.sourcePath !== undefined) out.sourcePath = c.sourcePath;
  return out;
}

// Lockfile components may not carry their lockfile's path; the result does.
function withSource(c: Component, sourcePath: string): Component {
  return c.sourcePath === undefined ? { ...c, sourcePath } : c;
}

// The project itself is in the SBOM (as subject, sometimes as a component too) but in no lockfile.
function subjectKeys(doc: SbomDocument, lock: readonly CatalogResult[]): Set<string> {
  const keys = new Set<string>();
  if (doc.subject) keys.add(identityOf(doc.subject).key);
  for (const r of lock) {
    if (r.root) keys.add(identityOf(r.root).key);
  }
  return keys;
}

function isExcluded(c: Component, excluded: ReadonlySet<string>, doc: SbomDocument): boolean {
  return c.ref === doc.subject?.ref || excluded.has(identityOf(c).key);
}
