import { parsePurl } from '../core/index.js';
import { compareVersions, ecosystemScheme } from '../core/vers/index.js';
import type { VexProduct } from '../formats/index.js';
import { assertPerson } from './people.js';
import { purlBase, purlVersion } from './products.js';
import {
  type ActContext,
  type LifecycleStatement,
  type Revision,
  SYSTEM_ACTOR,
} from './statement.js';
import { finishDraft } from './versioning.js';

/** The advisory a draft is about (vuln/'s records carry more; this is what a statement needs). */
export interface AdvisoryRef {
  /** CVE-…, GHSA-…, an OSV id, or the private report's own id. */
  id: string;
  aliases?: readonly string[];
  /** The advisory's summary, kept as the statement's description. */
  summary?: string;
}

/** A release the matcher found affected: the product release and the component in its SBOM. */
export interface AffectedRelease {
  /** The product release: purl with version (`pkg:generic/acme/portal@2.4.0`). */
  product: string;
  /** The vulnerable component as the SBOM lists it (purl, with its version). */
  component: string;
}

/**
 * Draft `under_investigation` statements for a new advisory (seed 001: "CVE published
 * affecting your components", automated alert + draft, pattern 2 steps 2–3): one statement per
 * product, covering every affected release of it as an enumerated version list (edge case 2:
 * one statement for many versions), the vulnerable components as subcomponents. Drafted by the
 * system, version 1, publishable without approval. No affected release, no statement.
 * @throws VexLifecycleError VEX_STATEMENT_INVALID (a malformed purl)
 */
export function draftStatements(
  advisory: AdvisoryRef,
  affected: readonly AffectedRelease[],
  now: string,
): Revision[] {
  return drafts(advisory, affected, { by: SYSTEM_ACTOR, now }, false);
}

/**
 * Draft confidential `under_investigation` statements for a privately disclosed vulnerability
 * (seed 001: "Private vulnerability disclosed … Immediately, Manual (confidential)"): drafted by
 * the person who received the report, never public until discloseStatement.
 * @throws VexLifecycleError VEX_APPROVER_INVALID (no person), VEX_STATEMENT_INVALID
 */
export function draftConfidentialStatements(
  report: AdvisoryRef,
  affected: readonly AffectedRelease[],
  ctx: ActContext,
): Revision[] {
  assertPerson(ctx.by, 'recipient of the private report');
  return drafts(report, affected, ctx, true);
}

function drafts(
  advisory: AdvisoryRef,
  affected: readonly AffectedRelease[],
  ctx: ActContext,
  confidential: boolean,
): Revision[] {
  return groupByProduct(affected).map((product) => {
    const statement: LifecycleStatement = {
      vulnerability: advisory.id,
      ...(advisory.aliases !== undefined && advisory.aliases.length > 0
        ? { aliases: advisory.aliases }
        : {}),
      ...(advisory.summary !== undefined ? { description: advisory.summary } : {}),
      products: [product],
      status: 'under_investigation',
      statusNotes: `Drafted on a match of ${advisory.id}; analysis in progress.`,
      version: 1,
      timestamp: ctx.now,
      draftedBy: ctx.by.trim(),
      ...(confidential ? { confidential: true } : {}),
    };
    return finishDraft(undefined, statement, ctx, {});
  });
}

// One product per package: its affected versions listed in order, its vulnerable components.
function groupByProduct(affected: readonly AffectedRelease[]): VexProduct[] {
  const byBase = new Map<string, { versions: string[]; subs: string[]; scheme: string }>();
  for (const a of affected) {
    const base = purlBase(a.product);
    const entry = byBase.get(base) ?? {
      versions: [],
      subs: [],
      scheme: ecosystemScheme(parsePurl(a.product).type),
    };
    const v = purlVersion(a.product);
    if (v !== undefined && !entry.versions.includes(v)) entry.versions.push(v);
    const sub = purlBase(a.component);
    if (!entry.subs.includes(sub)) entry.subs.push(sub);
    byBase.set(base, entry);
  }
  return [...byBase.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([purl, e]) => ({
      purl,
      ...(e.versions.length > 0
        ? { versions: { list: e.versions.sort((x, y) => compareVersions(e.scheme, x, y)) } }
        : {}),
      subcomponents: e.subs.sort(),
    }));
}
