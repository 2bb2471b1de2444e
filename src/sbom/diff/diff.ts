import {
  compareStrings,
  digestConflicts,
  type IndexedPackage,
  identityOf,
  indexPackages,
} from '../align/index.js';
import { normalizeLicense } from '../license.js';
import type { Component, SbomDocument } from '../model.js';
import { compareVersionsOf, pairVersions } from './pair-versions.js';

/** A package at one version. */
export interface DiffPackage {
  /** Identity key (`npm/@babel/core`): purl type, namespace, name. */
  identity: string;
  /** '' when the component has none. */
  version: string;
  purl?: string;
}

export interface VersionChange {
  identity: string;
  from: string;
  to: string;
}

export interface LicenseChange {
  identity: string;
  /** Versions before and after (equal when only the licence changed). */
  fromVersion: string;
  toVersion: string;
  /** Normalised licences, sorted. */
  from: string[];
  to: string[];
}

/** Same identity and version, same algorithm, no digest in common: the bytes changed. */
export interface HashChange {
  identity: string;
  version: string;
  /** Normalised algorithm (`SHA512`). */
  alg: string;
  from: string[];
  to: string[];
}

/** A dependency edge between two package identities (versions and refs do not matter). */
export interface EdgeChange {
  from: string;
  to: string;
}

/** The difference between two SBOMs. Its JSON is stable: every list is sorted. */
export interface SbomDiff {
  summary: {
    added: number;
    removed: number;
    upgraded: number;
    downgraded: number;
    licenseChanged: number;
    hashChanged: number;
    edgesAdded: number;
    edgesRemoved: number;
  };
  added: DiffPackage[];
  removed: DiffPackage[];
  upgraded: VersionChange[];
  downgraded: VersionChange[];
  licenseChanged: LicenseChange[];
  hashChanged: HashChange[];
  edgesAdded: EdgeChange[];
  edgesRemoved: EdgeChange[];
}

/**
 * What changed from `before` to `after`. Components match by identity (not by ref, which differs
 * between generators), then versions pair up (see pairVersions); a paired version change is an
 * upgrade or downgrade (see compareVersionsOf). A hash that changed while the version did not is
 * reported in `hashChanged`: the bytes behind a version should never change.
 */
export function diffSboms(before: SbomDocument, after: SbomDocument): SbomDiff {
  const oldIndex = indexPackages(before.components);
  const newIndex = indexPackages(after.components);
  const diff = emptyDiff();
  const keys = [...new Set([...oldIndex.keys(), ...newIndex.keys()])].sort(compareStrings);
  for (const key of keys) diffPackage(oldIndex.get(key), newIndex.get(key), diff);
  const oldEdges = edgesOf(before);
  const newEdges = edgesOf(after);
  diff.edgesAdded = [...newEdges]
    .filter((e) => !oldEdges.has(e))
    .sort(compareStrings)
    .map(toEdge);
  diff.edgesRemoved = [...oldEdges]
    .filter((e) => !newEdges.has(e))
    .sort(compareStrings)
    .map(toEdge);
  sortDiff(diff);
  diff.summary = {
    added: diff.added.length,
    removed: diff.removed.length,
    upgraded: diff.upgraded.length,
    downgraded: diff.downgraded.length,
    licenseChanged: diff.licenseChanged.length,
    hashChanged: diff.hashChanged.length,
    edgesAdded: diff.edgesAdded.length,
    edgesRemoved: diff.edgesRemoved.length,
  };
  return diff;
}

function diffPackage(
  before: IndexedPackage | undefined,
  after: IndexedPackage | undefined,
  diff: SbomDiff,
): void {
  const identity = (before ?? after)?.identity;
  if (!identity) return;
  const oldVersions = before ? [...before.versions.keys()] : [];
  const newVersions = after ? [...after.versions.keys()] : [];
  const { pairs, removed, added } = pairVersions(oldVersions, newVersions, identity.type);
  for (const v of removed) diff.removed.push(pkg(identity.key, v, before?.versions.get(v)));
  for (const v of added) diff.added.push(pkg(identity.key, v, after?.versions.get(v)));
  for (const [from, to] of pairs) {
    const oldComps = before?.versions.get(from) ?? [];
    const newComps = after?.versions.get(to) ?? [];
    const order = compareVersionsOf(identity.type, from, to);
    if (order < 0) diff.upgraded.push({ identity: identity.key, from, to });
    else if (order > 0) diff.downgraded.push({ identity: identity.key, from, to });
    else {
      for (const c of digestConflicts(oldComps, newComps)) {
        diff.hashChanged.push({
          identity: identity.key,
          version: to,
          alg: c.alg,
          from: c.before,
          to: c.after,
        });
      }
    }
    const lf = licensesOf(oldComps);
    const lt = licensesOf(newComps);
    if (lf.join('\n') !== lt.join('\n')) {
      diff.licenseChanged.push({
        identity: identity.key,
        fromVersion: from,
        toVersion: to,
        from: lf,
        to: lt,
      });
    }
  }
}

function pkg(identity: string, version: string, comps: Component[] | undefined): DiffPackage {
  const purl = comps?.find((c) => c.purl !== undefined)?.purl;
  return purl === undefined ? { identity, version } : { identity, version, purl };
}

// Licences compare after normalisation, so `mit` → `MIT` or stray parentheses are not changes.
function licensesOf(comps: readonly Component[]): string[] {
  const out = new Set<string>();
  for (const c of comps) for (const l of c.licenses) out.add(normalizeLicense(l).value);
  return [...out].sort(compareStrings);
}

const SEP = '\u0000';

// Edges as identity pairs: refs differ between generators, identities do not.
function edgesOf(doc: SbomDocument): Set<string> {
  const byRef = new Map<string, string>();
  const all = doc.subject ? [doc.subject, ...doc.components] : doc.components;
  for (const c of all) byRef.set(c.ref, identityOf(c).key);
  const out = new Set<string>();
  for (const c of all) {
    const from = byRef.get(c.ref);
    for (const ref of c.dependsOn) {
      const to = byRef.get(ref);
      if (from !== undefined && to !== undefined && from !== to) out.add(`${from}${SEP}${to}`);
    }
  }
  return out;
}

function toEdge(e: string): EdgeChange {
  const i = e.indexOf(SEP);
  return { from: e.slice(0, i), to: e.slice(i + 1) };
}

function emptyDiff(): SbomDiff {
  return {
    summary: {
      added: 0,
      removed: 0,
      upgraded: 0,
      downgraded: 0,
      licenseChanged: 0,
      hashChanged: 0,
      edgesAdded: 0,
      edgesRemoved: 0,
    },
    added: [],
    removed: [],
    upgraded: [],
    downgraded: [],
    licenseChanged: [],
    hashChanged: [],
    edgesAdded: [],
    edgesRemoved: [],
  };
}

function sortDiff(d: SbomDiff): void {
  const byIdVersion = (a: DiffPackage, b: DiffPackage) =>
    compareStrings(a.identity, b.identity) || compareStrings(a.version, b.version);
  const byIdFrom = (a: VersionChange, b: VersionChange) =>
    compareStrings(a.identity, b.identity) || compareStrings(a.from, b.from);
  d.added.sort(byIdVersion);
  d.removed.sort(byIdVersion);
  d.upgraded.sort(byIdFrom);
  d.downgraded.sort(byIdFrom);
  d.licenseChanged.sort(
    (a, b) =>
      compareStrings(a.identity, b.identity) || compareStrings(a.fromVersion, b.fromVersion),
  );
  d.hashChanged.sort(
    (a, b) =>
      compareStrings(a.identity, b.identity) ||
      compareStrings(a.version, b.version) ||
      compareStrings(a.alg, b.alg),
  );
}
