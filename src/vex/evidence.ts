import { parsePurl } from '../core/index.js';
import { compareVersions, ecosystemScheme, versionScheme } from '../core/vers/index.js';
import type { VexProduct } from '../formats/index.js';
import { VexLifecycleError } from './errors.js';
import { productCovers, purlBase, purlVersion, versionSetOf, withVersion } from './products.js';
import type { FixEvidence } from './statement.js';

/** Orders two versions of one ecosystem: negative, zero or positive. */
export type CompareVersions = (scheme: string, a: string, b: string) => number;

/**
 * Throw unless `evidence` proves that every product release carries the fix: for each product
 * some entry names a release it covers, and each entry's component (one of `subcomponents`,
 * when the statement names them) is at or above the fixed version, both versions readable in
 * the component's ecosystem (an unreadable one never proves a fix). A `fixed` so proven
 * publishes without approval (seed 001's trigger matrix: "Patch developed … Full").
 * @param compare defaults to core/vers's compareVersions on the component's ecosystem.
 * @throws VexLifecycleError VEX_EVIDENCE_MISMATCH naming the first entry that fails
 */
export function assertFixProven(
  products: readonly VexProduct[],
  subcomponents: readonly string[],
  evidence: readonly FixEvidence[],
  compare: CompareVersions = compareVersions,
): void {
  if (evidence.length === 0) mismatch('no evidence was given', {});
  const subs = new Set(subcomponents.map(purlBase));
  for (const e of evidence) {
    if (!products.some((p) => productCovers(p, e.product))) {
      mismatch(`${e.product} is not one of the statement's products`, { evidence: e });
    }
    if (subs.size > 0 && !subs.has(purlBase(e.component))) {
      mismatch(`${e.component} is not the vulnerable component`, { evidence: e });
    }
    const scheme = ecosystemScheme(parsePurl(e.component).type);
    const version = purlVersion(e.component);
    const problem =
      version === undefined
        ? 'the component has no version'
        : (versionScheme(scheme).versionProblem?.(version) ??
          versionScheme(scheme).versionProblem?.(e.fixedVersion) ??
          null);
    if (problem !== null) mismatch(`${e.component}: ${problem}`, { evidence: e });
    if (compare(scheme, version as string, e.fixedVersion) < 0) {
      mismatch(`${e.product} ships ${e.component}, below the fixed version ${e.fixedVersion}`, {
        evidence: e,
      });
    }
  }
  for (const p of products) {
    const set = versionSetOf(p);
    // Each listed version is a release of its own; a range or every version needs one release.
    const releases =
      p.purl === undefined
        ? mismatch('a product named without a purl cannot be matched with SBOM evidence', {
            product: p.identifiers,
          })
        : set.kind === 'list'
          ? set.versions.map((v) => withVersion(p.purl as string, v))
          : [p.purl];
    for (const r of releases) {
      const covered = evidence.some((e) =>
        set.kind === 'list' ? samePurlVersion(e.product, r) : productCovers(p, e.product),
      );
      if (!covered) mismatch(`no evidence for ${r}`, { product: r });
    }
  }
}

// Same package and same version by the ecosystem's rules (1.0 and 1.0.0 are one Maven version).
function samePurlVersion(a: string, b: string): boolean {
  if (purlBase(a) !== purlBase(b)) return false;
  const [x, y] = [purlVersion(a), purlVersion(b)];
  if (x === undefined || y === undefined) return x === y;
  return compareVersions(ecosystemScheme(parsePurl(a).type), x, y) === 0;
}

function mismatch(why: string, details: Record<string, unknown>): never {
  throw new VexLifecycleError(
    'VEX_EVIDENCE_MISMATCH',
    `the evidence does not show the fix: ${why}; give the release's SBOM component at or above the fixed version, or ask an approver to approve the fixed status`,
    { details },
  );
}
