import type { FindingVex } from '../../api/index.js';
import { formatPurl } from '../../core/index.js';
import { advisoryIdsNamed } from '../../store/advisories.js';
import type { Q } from '../../store/db.js';
import { publicVexStatementsOfProducts } from '../../store/vex.js';
import {
  closeFindingsById,
  currentAmong,
  type ProductFindingRow,
  productFindings,
  reopenVexClosedFindings,
} from '../../store/vuln-findings.js';
import { type LifecycleStatement, needsApproval, vexStatusLookup } from '../../vex/index.js';

/**
 * A VEX statement settles the findings it covers (issue 12, "VEX"): the findings of its product
 * whose advisory is the statement's vulnerability (by id or alias) and whose release the
 * statement's products cover.
 *
 * - It closes the open ones when it says, with effect, `not_affected` (approved) or `fixed`
 *   (approved, or proven by the release's SBOM): close reason `vex_not_affected` / `vex_fixed`.
 *   Only `vex_fixed` (and `fixed`) count as remediation in the MTTR (read-vulnerabilities.ts).
 * - It reopens the ones a VEX statement closed when its status moves back to `affected` or
 *   `under_investigation` (the analysis was revised): the same row with `closed_at` cleared and
 *   `opened_at` kept, so MTTR counts from the first opening. A finding whose SBOM is no longer
 *   current stays closed (the component is gone from that artifact).
 * - A confidential statement settles nothing until it is disclosed (a closed finding would
 *   reveal the private disclosure to every reader of the findings).
 *
 * Runs inside the transaction that writes the statement change.
 */
export async function settleFindings(
  trx: Q,
  productId: number,
  product: string,
  prev: LifecycleStatement | undefined,
  next: LifecycleStatement,
  now: string,
): Promise<{ closed: number; reopened: number }> {
  const out = { closed: 0, reopened: 0 };
  if (next.confidential === true) return out;
  const names = [next.vulnerability, ...(next.aliases ?? [])];
  const reason = closeReason(next);
  const reopen =
    (next.status === 'affected' || next.status === 'under_investigation') &&
    prev !== undefined &&
    (prev.status === 'not_affected' || prev.status === 'fixed');
  if (reason === undefined && !reopen) return out;
  const advisoryIds = await advisoryIdsNamed(trx, names);
  const covered = coverage(product, next);
  if (reason !== undefined) {
    const open = await productFindings(trx, { productId, advisoryIds, which: 'open' });
    const ids = open.filter((f) => covered(f)).map((f) => f.id);
    out.closed = await closeFindingsById(trx, ids, { reason, at: now });
  }
  if (reopen) {
    const closed = await productFindings(trx, { productId, advisoryIds, which: 'vexClosed' });
    const current = await currentAmong(
      trx,
      closed.map((f) => f.sbom_id),
    );
    const ids = closed.filter((f) => covered(f) && current.has(f.sbom_id)).map((f) => f.id);
    out.reopened = await reopenVexClosedFindings(trx, ids, now);
  }
  return out;
}

/** The close reason the statement gives its findings, or none (no effective judgment yet). */
export function closeReason(st: LifecycleStatement): 'vex_not_affected' | 'vex_fixed' | undefined {
  if (st.confidential === true || needsApproval(st)) return undefined;
  if (st.status === 'not_affected') return 'vex_not_affected';
  if (st.status === 'fixed') return 'vex_fixed';
  return undefined;
}

// Whether the statement covers a finding: its release of the product (as a purl) is one of the
// statement's products, by the same rule scanners use (vex/'s vexStatusLookup).
function coverage(product: string, st: LifecycleStatement): (f: ProductFindingRow) => boolean {
  const lookup = vexStatusLookup([{ id: 'settle', statements: [st] }]);
  return (f) =>
    lookup(formatPurl({ type: 'generic', name: product, version: f.release }), [
      st.vulnerability,
    ]) !== undefined;
}

// A finding's VEX status is the API's own shape (src/api/vulnerabilities.ts), which the dashboard imports.
export type { FindingVex } from '../../api/index.js';

/**
 * The VEX status of findings from their products' public statements: the newest statement that
 * names the finding's advisory (id or alias) and covers its release.
 */
export async function vexOfFindings(
  q: Q,
  findings: readonly {
    id: number;
    product_id: number;
    product: string;
    release: string;
    advisoryNames: readonly string[];
  }[],
): Promise<Map<number, FindingVex>> {
  const out = new Map<number, FindingVex>();
  const rows = await publicVexStatementsOfProducts(q, [
    ...new Set(findings.map((f) => f.product_id)),
  ]);
  // A statement can name an advisory only if its text holds one of the advisory's names: with a
  // few names asked for (one advisory's listing or detail), the others are not even parsed. (Only
  // names JSON writes as they are: one with a quote, say, is escaped in the text.)
  const wanted = new Set(findings.flatMap((f) => f.advisoryNames.map((n) => n.toUpperCase())));
  const few =
    wanted.size <= 16 && [...wanted].every((n) => JSON.stringify(n) === `"${n}"`)
      ? [...wanted]
      : undefined;
  // Each product's statements by the names they give (vulnerability, aliases), in id order: a
  // finding looks at the statements naming its advisory, not at every statement of its product.
  const statements: {
    id: number;
    st: LifecycleStatement;
    covers?: (release: string) => boolean;
  }[] = [];
  const byName = new Map<number, Map<string, number[]>>();
  for (const r of rows) {
    if (few !== undefined) {
      const text = r.body.toUpperCase();
      if (!few.some((n) => text.includes(n))) continue;
    }
    const st = JSON.parse(r.body) as LifecycleStatement;
    const k = statements.push({ id: r.id, st }) - 1;
    let names = byName.get(r.product_id);
    if (!names) {
      names = new Map();
      byName.set(r.product_id, names);
    }
    for (const n of new Set(
      [st.vulnerability, ...(st.aliases ?? [])].map((x) => x.toUpperCase()),
    )) {
      const list = names.get(n);
      if (list) list.push(k);
      else names.set(n, [k]);
    }
  }
  for (const f of findings) {
    const names = byName.get(f.product_id);
    if (!names) continue;
    const candidates = new Set<number>();
    for (const n of f.advisoryNames)
      for (const k of names.get(n.toUpperCase()) ?? []) candidates.add(k);
    let best: { id: number; st: LifecycleStatement } | undefined;
    for (const k of [...candidates].sort((a, b) => a - b)) {
      const c = statements[k] as (typeof statements)[number];
      if (c.covers === undefined) {
        // The statement's product is the finding's: its coverage is worked out once.
        const check = coverage(f.product, c.st);
        c.covers = (release) => check({ release } as ProductFindingRow);
      }
      if (!c.covers(f.release)) continue;
      if (best === undefined || c.st.timestamp >= best.st.timestamp) best = c;
    }
    if (best !== undefined) {
      out.set(f.id, {
        statement: best.id,
        status: best.st.status,
        version: best.st.version,
        needsApproval: needsApproval(best.st),
      });
    }
  }
  return out;
}
