import { type Caller, inScope, requirePermission } from '../../access/index.js';
import { parsePurl } from '../../core/index.js';
import { osvRecordFromJson } from '../../formats/index.js';
import { advisoriesById, advisoryIdsForPackages } from '../../store/advisories.js';
import { findProduct } from '../../store/catalogue.js';
import { currentSbomsOfProduct } from '../../store/match-problems.js';
import { componentsOfSboms } from '../../store/vuln-findings.js';
import { createAdvisoryIndex, matchPurl, osvPackageOfPurl } from '../../vuln/index.js';
import { notFound } from '../inventory/team-scope.js';
import type { Services } from '../services.js';

/** At most this many problems are listed (`truncated` says when there were more). */
const MAX = 1000;

export interface MatchProblem {
  release: string;
  purl: string;
  /** The advisory that names the component's package but cannot judge its version. */
  advisory: string;
  /** `unparseable-version` (the ecosystem's rules do not read it) or `indeterminate`. */
  kind: string;
  detail: string;
}

export interface SkippedComponent {
  release: string;
  purl: string;
  /** `no-version` or `purl-invalid` (components of ecosystems OSV does not cover are not listed). */
  reason: string;
  detail: string;
}

export interface MatchProblems {
  product: string;
  release: string | null;
  sboms: number;
  components: number;
  problems: MatchProblem[];
  skipped: SkippedComponent[];
  truncated: boolean;
}

/**
 * What the matcher could not judge in a product's current SBOMs: components whose version an
 * advisory naming their package cannot evaluate (never counted as affected or as safe: they have
 * no finding, so they are listed here), and components it could not match at all (no version, a
 * malformed purl). Computed on request from the stored SBOMs and advisories, with the matcher's
 * own rules, so it is as current as the advisories.
 * @throws AccessError AUTH_FORBIDDEN; InventoryError INVENTORY_NOT_FOUND (also another team's)
 */
export async function listMatchProblems(
  s: Services,
  caller: Caller,
  productName: string,
  release?: string,
): Promise<MatchProblems> {
  requirePermission(caller.principal, 'inventory:read');
  const read = s.db.read;
  const product = await findProduct(read, productName);
  if (!product || !inScope(caller.principal, product.team))
    throw notFound(`product ${productName.slice(0, 200)}`);
  const sboms = await currentSbomsOfProduct(read, product.id, release);
  const releaseOf = new Map<number, string>();
  const sbomRelease = new Map(sboms.map((r) => [r.sbom_id, r.release]));
  const components = await componentsOfSboms(
    read,
    sboms.map((r) => r.sbom_id),
  );
  const keys: { ecosystem: string; name: string }[] = [];
  for (const c of components) {
    releaseOf.set(c.sbom_id, sbomRelease.get(c.sbom_id) ?? '');
    const ref = refOf(c.purl);
    if (ref) for (const name of ref.names) keys.push({ ecosystem: ref.ecosystem, name });
  }
  const rows = await advisoriesById(read, await advisoryIdsForPackages(read, keys));
  const records = [...rows.values()]
    .filter((r) => r.withdrawn === null)
    .map((r) => osvRecordFromJson(JSON.parse(r.record), `stored advisory ${r.id}`));
  const index = createAdvisoryIndex(records);
  const out: MatchProblems = {
    product: productName,
    release: release ?? null,
    sboms: sboms.length,
    components: components.length,
    problems: [],
    skipped: [],
    truncated: false,
  };
  const seen = new Set<string>();
  for (const c of components) {
    const rel = releaseOf.get(c.sbom_id) ?? '';
    const key = `${rel}\u0000${c.purl}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const m = matchPurl(index, c.purl);
    if (m.kind === 'skipped') {
      if (m.reason === 'ecosystem-unknown') continue;
      if (out.skipped.length >= MAX) out.truncated = true;
      else out.skipped.push({ release: rel, purl: c.purl, reason: m.reason, detail: m.message });
      continue;
    }
    for (const p of m.problems) {
      if (out.problems.length >= MAX) {
        out.truncated = true;
        break;
      }
      out.problems.push({
        release: rel,
        purl: c.purl,
        advisory: p.record.id,
        kind: p.verdict.kind,
        detail: p.verdict.kind === 'unparseable-version' ? p.verdict.problem : p.verdict.reason,
      });
    }
  }
  return out;
}

function refOf(purl: string) {
  try {
    return osvPackageOfPurl(parsePurl(purl));
  } catch {
    return undefined;
  }
}
