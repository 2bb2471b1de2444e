import type { VexDocument, VexStatement, VexStatus } from '../formats/index.js';
import { type ProductRef, productCovers, purlBase, purlVersion } from './products.js';

/** What a scanner asks of VEX: the status for a component (purl with version) and an advisory's ids. */
export type VexStatusLookup = (purl: string, ids: readonly string[]) => VexStatus | undefined;

/**
 * The VEX statements of some documents as a lookup for scanners (`custody vuln match --vex`). A
 * statement applies to a finding when one of its ids (vulnerability or alias) is one of the
 * advisory's ids, and a product or subcomponent covers the component: same package, and the
 * version in the product's list or range (a product without versions covers every version, as
 * VexProduct says). When several apply, the newest wins (statement time, else the document's;
 * later in the input on a tie), as a later statement supersedes an earlier one.
 */
export function vexStatusLookup(documents: readonly VexDocument[]): VexStatusLookup {
  const byId = new Map<string, { s: VexStatement; at: string; order: number }[]>();
  let order = 0;
  for (const d of documents) {
    for (const s of d.statements) {
      const at = s.timestamp ?? d.lastUpdated ?? d.timestamp ?? '';
      for (const id of [s.vulnerability, ...(s.aliases ?? [])]) {
        const key = id.toUpperCase();
        const list = byId.get(key) ?? [];
        list.push({ s, at, order: order++ });
        byId.set(key, list);
      }
    }
  }
  return (purl, ids) => {
    let best: { s: VexStatement; at: string; order: number } | undefined;
    for (const id of ids) {
      for (const c of byId.get(id.toUpperCase()) ?? []) {
        if (!appliesTo(c.s, purl)) continue;
        if (best === undefined || c.at > best.at || (c.at === best.at && c.order > best.order))
          best = c;
      }
    }
    return best?.s.status;
  };
}

function appliesTo(s: VexStatement, purl: string): boolean {
  return s.products.some(
    (p) => covers(p, purl) || (p.subcomponents ?? []).some((sub) => covers({ purl: sub }, purl)),
  );
}

/** productCovers, where a malformed purl or range in the VEX simply covers nothing. */
function covers(p: ProductRef, purl: string): boolean {
  if (p.purl === undefined) return false;
  try {
    if (purlVersion(purl) === undefined) return purlBase(p.purl) === purlBase(purl);
    return productCovers(p, purl);
  } catch {
    return false;
  }
}
