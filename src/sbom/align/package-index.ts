import type { Component } from '../model.js';
import { identityOf, type PackageIdentity, versionOf } from './identity.js';

/** One package identity with the components found for each of its versions. */
export interface IndexedPackage {
  identity: PackageIdentity;
  /** version ('' when none) → components (several when two generators' refs differ). */
  versions: Map<string, Component[]>;
}

/** Group components by identity, then version: the shape align and diff both compare. */
export function indexPackages(components: Iterable<Component>): Map<string, IndexedPackage> {
  const out = new Map<string, IndexedPackage>();
  for (const c of components) {
    const identity = identityOf(c);
    let entry = out.get(identity.key);
    if (!entry) {
      entry = { identity, versions: new Map() };
      out.set(identity.key, entry);
    }
    const v = versionOf(c);
    const list = entry.versions.get(v);
    if (list) list.push(c);
    else entry.versions.set(v, [c]);
  }
  return out;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
