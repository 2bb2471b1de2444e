import type { VexJustification, VexProduct, VexResponse } from '../formats/index.js';
import { VexLifecycleError } from './errors.js';
import type { CompareVersions } from './evidence.js';
import { productKey, sharedVersions } from './products.js';
import { assertNoScopeConflict, mergeProducts } from './scope.js';
import type { ActContext, FixEvidence, LifecycleStatement, Revision } from './statement.js';
import { carried, changeStatus, type StatusChange } from './transition.js';
import { assertTransition } from './transitions.js';
import { finishDraft, reviseStatement } from './versioning.js';

// Seed 001's "VEX publication triggers" and "VEX updates", one function per row. The first two
// rows (a new CVE, a private disclosure) are draftStatements and draftConfidentialStatements.

/**
 * "Analysis completed (not affected)": under_investigation → not_affected with a justification
 * from the standard's list or an impact statement. Needs a second person's approval.
 * @throws VexLifecycleError VEX_TRANSITION_INVALID, VEX_STATEMENT_INVALID, VEX_SAME_PERSON
 */
export function analysisNotAffected(
  s: LifecycleStatement,
  analysis: { justification?: VexJustification; impactStatement?: string; detail?: string },
  ctx: ActContext,
): Revision {
  return changeStatus(s, notAffected(analysis), ctx);
}

/**
 * "Analysis completed (affected)": under_investigation → affected with an action statement.
 * Needs a second person's approval.
 * @throws VexLifecycleError VEX_TRANSITION_INVALID, VEX_STATEMENT_INVALID, VEX_SAME_PERSON
 */
export function analysisAffected(
  s: LifecycleStatement,
  analysis: { actionStatement: string; responses?: readonly VexResponse[] },
  ctx: ActContext,
): Revision {
  return changeStatus(s, { status: 'affected', ...analysis }, ctx);
}

/**
 * Edge case 4, a false positive: the scanner's finding does not apply, so not_affected with a
 * justification from the standard's list (required here: customers' scanners must be told why),
 * optionally an impact statement. From under_investigation or affected.
 * @throws VexLifecycleError VEX_STATEMENT_INVALID (no justification), VEX_TRANSITION_INVALID
 */
export function falsePositive(
  s: LifecycleStatement,
  analysis: { justification: VexJustification; impactStatement?: string },
  ctx: ActContext,
): Revision {
  if ((analysis.justification as string | undefined) === undefined) {
    throw new VexLifecycleError(
      'VEX_STATEMENT_INVALID',
      'a false positive is published as not_affected with a justification saying why: give one',
      { details: { vulnerability: s.vulnerability } },
    );
  }
  return changeStatus(s, notAffected(analysis), ctx);
}

/** What a patch release brings: the fixed product releases and the SBOM evidence for each. */
export interface PatchRelease {
  /** The product versions that carry the fix (never the affected ones: edge case 2). */
  products: readonly VexProduct[];
  evidence?: readonly FixEvidence[];
  compare?: CompareVersions;
  statusNotes?: string;
}

/**
 * "Patch/fix released" → fixed, at release time. When the patch covers exactly the statement's
 * products (an unversioned service, a rebuilt release), the statement itself changes to fixed.
 * Otherwise the fixed versions get a new `fixed` statement beside the affected one, which keeps
 * saying the older versions are affected (edge case 2: affected and fixed never merged), and the
 * two must not share a version. With evidence that proves the fix, no approval is needed
 * (matrix: "Patch developed … Full").
 * @throws VexLifecycleError VEX_EVIDENCE_MISMATCH, VEX_SCOPE_CONFLICT, VEX_TRANSITION_INVALID (a
 *   not_affected statement)
 */
export function patchReleased(
  s: LifecycleStatement,
  patch: PatchRelease,
  ctx: ActContext,
): Revision {
  // A not_affected statement has nothing to fix (VEX_TRANSITIONS refuses not_affected → fixed).
  if (s.status === 'not_affected') assertTransition(s.status, 'fixed');
  const change: StatusChange = {
    status: 'fixed',
    ...(patch.statusNotes !== undefined ? { statusNotes: patch.statusNotes } : {}),
  };
  const fix = { evidence: patch.evidence, compare: patch.compare };
  if (sameProducts(s.products, patch.products)) {
    return changeStatus(s, change, { ...ctx, ...definedOnly(fix) });
  }
  const products = patch.products.map((p) => withStatementSubcomponents(p, s));
  const fixed: LifecycleStatement = {
    ...carried(s),
    ...change,
    products,
    version: 1,
    timestamp: ctx.now,
    draftedBy: ctx.by.trim(),
  };
  assertNoScopeConflict([s, fixed]);
  return finishDraft(undefined, fixed, ctx, fix);
}

/**
 * "Workaround identified" → mitigation details, as soon as possible: the mitigation is added to
 * the action statement (affected) or the status notes (under_investigation), with the
 * `workaround_available` response. A new version (mitigation guidance changed) that needs
 * approval (matrix: Semi).
 * @throws VexLifecycleError VEX_STATEMENT_INVALID (fixed and not_affected take no workaround)
 */
export function workaroundIdentified(
  s: LifecycleStatement,
  mitigation: string,
  ctx: ActContext,
): Revision {
  const responses: VexResponse[] = [...(s.responses ?? [])];
  if (!responses.includes('workaround_available')) responses.push('workaround_available');
  const text = s.status === 'affected' ? s.actionStatement : s.statusNotes;
  const added = text === undefined || text.trim() === '' ? mitigation : `${text}\n\n${mitigation}`;
  return reviseStatement(
    s,
    s.status === 'affected'
      ? { responses, actionStatement: added }
      : { responses, statusNotes: added },
    ctx,
  );
}

/**
 * "Analysis revised" → update the justification (the initial assessment was incorrect): a new
 * status along VEX_TRANSITIONS (not_affected → affected, affected → not_affected,
 * not_affected → under_investigation), or, within not_affected, a new justification or impact
 * statement. A new version that needs approval.
 * @throws VexLifecycleError VEX_TRANSITION_INVALID, VEX_STATEMENT_INVALID, VEX_SAME_PERSON
 */
export function analysisRevised(
  s: LifecycleStatement,
  revised: StatusChange,
  ctx: ActContext,
): Revision {
  if (revised.status !== s.status) return changeStatus(s, revised, ctx);
  const { status: _s, ...fields } = revised;
  const cleared =
    s.status === 'not_affected'
      ? { justification: undefined, justificationDetail: undefined, impactStatement: undefined }
      : {};
  return reviseStatement(s, { ...cleared, ...fields }, ctx);
}

/**
 * "Exploit published" → urgency and severity update, within hours: the exploit is recorded in
 * the statement's intelligence (new information: a new version) with the severity when it
 * changed, and a note for customers. A judgment needs approval again (the approver checks it
 * still holds against the exploit); a draft publishes at once.
 */
export function exploitPublished(
  s: LifecycleStatement,
  exploit: { reference?: string; severity?: string; note?: string },
  ctx: ActContext,
): Revision {
  const note =
    exploit.note ??
    `Public exploit code is available${exploit.reference !== undefined ? ` (${exploit.reference})` : ''}: act with priority.`;
  const notes = s.statusNotes === undefined ? note : `${s.statusNotes}\n\n${note}`;
  return reviseStatement(
    s,
    {
      statusNotes: notes,
      intel: {
        exploit: {
          publishedAt: ctx.now,
          ...(exploit.reference !== undefined ? { reference: exploit.reference } : {}),
        },
        ...(exploit.severity !== undefined ? { severity: exploit.severity } : {}),
      },
    },
    ctx,
  );
}

/** The urgency the statement's intelligence implies: high with a public exploit or a KEV listing. */
export function urgencyOf(s: LifecycleStatement): 'high' | 'normal' {
  return s.intel?.exploit !== undefined || s.intel?.kev === true ? 'high' : 'normal';
}

/**
 * "New affected version" → extend the scope (the CVE also affects v2.0.0). An
 * under_investigation or affected statement takes the new versions (a new version; an affected
 * one needs approval again). A fixed or not_affected statement never takes affected versions
 * (edge case 2): the versions get a new statement of their own, `affected` when an action
 * statement is given, else `under_investigation`. `siblings` are the vulnerability's other
 * statements; no version may end up with two statuses. A version the fixed statement itself
 * lists is a regression: change that statement to affected instead.
 * @throws VexLifecycleError VEX_SCOPE_CONFLICT, VEX_STATEMENT_INVALID
 */
export function newAffectedVersion(
  s: LifecycleStatement,
  added: readonly VexProduct[],
  ctx: ActContext,
  options: { siblings?: readonly LifecycleStatement[]; actionStatement?: string } = {},
): Revision {
  const siblings = (options.siblings ?? []).filter((o) => o !== s);
  if (s.status === 'under_investigation' || s.status === 'affected') {
    const products = mergeProducts(s.products, added);
    const result = reviseStatement(s, { products }, ctx);
    assertNoScopeConflict([result.statement, ...siblings]);
    return result;
  }
  for (const p of added) {
    for (const q of s.products) {
      const shared = sharedVersions(p, q);
      if (shared !== undefined) {
        throw new VexLifecycleError(
          'VEX_SCOPE_CONFLICT',
          `${productKey(p)} ${shared} is already ${s.status} for ${s.vulnerability}: if it is affected after all, change that statement to affected (a regression or a revised analysis)`,
          { details: { vulnerability: s.vulnerability, version: shared, status: s.status } },
        );
      }
    }
  }
  const statement: LifecycleStatement = {
    ...carried(s),
    products: added.map((p) => withStatementSubcomponents(p, s)),
    ...(options.actionStatement !== undefined
      ? { status: 'affected' as const, actionStatement: options.actionStatement }
      : { status: 'under_investigation' as const }),
    version: 1,
    timestamp: ctx.now,
    draftedBy: ctx.by.trim(),
  };
  assertNoScopeConflict([statement, s, ...siblings]);
  return finishDraft(undefined, statement, ctx, {});
}

function notAffected(a: {
  justification?: VexJustification;
  impactStatement?: string;
  detail?: string;
}): StatusChange {
  return {
    status: 'not_affected',
    ...(a.justification !== undefined ? { justification: a.justification } : {}),
    ...(a.impactStatement !== undefined ? { impactStatement: a.impactStatement } : {}),
    ...(a.detail !== undefined ? { justificationDetail: a.detail } : {}),
  };
}

// Same products, compared as the statement's substantive products field compares them.
function sameProducts(a: readonly VexProduct[], b: readonly VexProduct[]): boolean {
  const strip = (ps: readonly VexProduct[]) =>
    JSON.stringify(ps.map((p) => [productKey(p), p.purl ?? null, p.versions ?? null]));
  return strip(a) === strip(b);
}

// A product without subcomponents takes the statement's, so fix evidence can name the component.
function withStatementSubcomponents(p: VexProduct, s: LifecycleStatement): VexProduct {
  if (p.subcomponents !== undefined) return p;
  const subs = [
    ...new Set(
      s.products
        .filter((q) => productKey(q) === productKey(p))
        .flatMap((q) => q.subcomponents ?? []),
    ),
  ];
  return subs.length === 0 ? p : { ...p, subcomponents: subs };
}

function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
