import type { Component } from '../model.js';

/** `SHA-256`, `sha256`, `SHA_256` → `SHA256`: generators spell algorithms differently. */
export function normalizeHashAlg(alg: string): string {
  return alg.toUpperCase().replace(/[-_\s]/g, '');
}

/** Digests per normalised algorithm over several components (lower-case hex). */
export function hashesByAlg(components: readonly Component[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const c of components) {
    for (const h of c.hashes) {
      const content = h.content.trim().toLowerCase();
      if (content === '') continue;
      const alg = normalizeHashAlg(h.alg);
      let set = out.get(alg);
      if (!set) {
        set = new Set();
        out.set(alg, set);
      }
      set.add(content);
    }
  }
  return out;
}

export interface DigestConflict {
  /** Normalised algorithm name (`SHA512`). */
  alg: string;
  /** Digests on each side, sorted. */
  before: string[];
  after: string[];
}

/** Algorithms both sides have but with no digest in common: the bytes differ. */
export function digestConflicts(
  a: readonly Component[],
  b: readonly Component[],
): DigestConflict[] {
  if (a.length === 1 && b.length === 1 && sameHashes(a[0]?.hashes ?? [], b[0]?.hashes ?? [])) {
    return []; // the common case, without building maps
  }
  const ha = hashesByAlg(a);
  const hb = hashesByAlg(b);
  const out: DigestConflict[] = [];
  for (const [alg, da] of [...ha].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    const db = hb.get(alg);
    if (!db || [...da].some((d) => db.has(d))) continue;
    out.push({ alg, before: [...da].sort(), after: [...db].sort() });
  }
  return out;
}

function sameHashes(
  x: readonly Component['hashes'][number][],
  y: readonly Component['hashes'][number][],
): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    if (x[i]?.alg !== y[i]?.alg || x[i]?.content !== y[i]?.content) return false;
  }
  return true;
}
