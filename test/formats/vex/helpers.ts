import type { VexDocument, VexProduct } from '../../../src/formats/index.js';

/** A product's identity across formats: its purl without version, else its name or another id. */
function identity(p: VexProduct): string {
  if (p.purl !== undefined) {
    const cut = p.purl.search(/[?#]/);
    const head = cut < 0 ? p.purl : p.purl.slice(0, cut);
    const at = head.lastIndexOf('@');
    return at > head.lastIndexOf('/') ? head.slice(0, at) : head;
  }
  const ids = p.identifiers ?? {};
  return ids['name'] ?? ids['bomRef'] ?? ids['csafProductId'] ?? ids['iri'] ?? ids['cpe'] ?? '?';
}

function versionsOf(p: VexProduct): string[] {
  if (p.versions === undefined) {
    if (p.purl === undefined) return ['*'];
    const cut = p.purl.search(/[?#]/);
    const head = cut < 0 ? p.purl : p.purl.slice(0, cut);
    const at = head.lastIndexOf('@');
    return [at > head.lastIndexOf('/') ? `v:${decodeURIComponent(head.slice(at + 1))}` : '*'];
  }
  return 'list' in p.versions ? p.versions.list.map((v) => `v:${v}`) : [`r:${p.versions.range}`];
}

/**
 * What every format holds of a document: per vulnerability, status, product and version (or
 * range), the justification of a not_affected, and whether the supplier will not fix (EOL).
 * A→B→A must keep exactly this.
 */
export function projection(doc: VexDocument): string[] {
  const out = new Set<string>();
  for (const s of doc.statements) {
    const j = s.status === 'not_affected' ? (s.justification ?? '') : '';
    const eol = s.responses?.includes('will_not_fix') ? 'eol' : '';
    for (const p of s.products)
      for (const v of versionsOf(p))
        out.add([s.vulnerability, s.status, identity(p), v, j, eol].join(' | '));
  }
  return [...out].sort();
}
