import type { VexJustification, VexProduct, VexResponse } from '../formats/index.js';
import { needsApproval } from './approval.js';
import { VexLifecycleError } from './errors.js';
import { assertFixProven, type CompareVersions } from './evidence.js';
import {
  changedFields,
  fieldValue,
  type StatementField,
  SUBSTANTIVE,
  TEXT_FIELDS,
} from './fields.js';
import { assertSecondPerson } from './people.js';
import type {
  ActContext,
  ChangeKind,
  ChangeRecord,
  FixEvidence,
  LifecycleStatement,
  Revision,
  ThreatIntel,
} from './statement.js';
import { assertStatementValid } from './validate.js';

/** An EPSS score moving by this much or more is new information: a new statement version. */
export const EPSS_VERSION_STEP = 0.1;
/** Most character edits (in all, at most 2 per word) a declared typo fix may make in one field. */
export const TYPO_MAX_EDITS = 3;

/**
 * A change to a statement within its status (a status change is changeStatus's). A key present
 * with `undefined` removes the field; `intel` merges into the statement's intelligence.
 */
export interface StatementEdit {
  statusDetail?: string | undefined;
  justification?: VexJustification | undefined;
  justificationDetail?: string | undefined;
  impactStatement?: string | undefined;
  actionStatement?: string | undefined;
  responses?: readonly VexResponse[] | undefined;
  statusNotes?: string | undefined;
  products?: readonly VexProduct[];
  aliases?: readonly string[] | undefined;
  description?: string | undefined;
  intel?: Partial<ThreatIntel>;
}

export interface ReviseOptions extends ActContext {
  /**
   * The edit is declared a correction, to be made in place: `typo` (small spelling fixes in text
   * fields), `formatting` (whitespace only) or `metadata` (non-substantive fields only). Anything
   * more is refused (VEX_CORRECTION_INVALID) rather than versioned behind the caller's back.
   */
  correction?: 'typo' | 'formatting' | 'metadata';
  /** For a `fixed` statement whose products change: evidence for the new scope. */
  evidence?: readonly FixEvidence[];
  compare?: CompareVersions;
}

/**
 * Apply an edit under seed 001's versioning rules, reconciled with the standards: a change to a
 * SUBSTANTIVE field is a new statement version (version + 1, new timestamp, drafted by the
 * editor, approval again where needed); whitespace-only changes of text, declared typo fixes,
 * non-substantive metadata and EPSS drift below EPSS_VERSION_STEP are edits in place (version,
 * timestamp and approval kept). Every changed field is in the returned trail with its kind.
 * @throws VexLifecycleError VEX_CORRECTION_INVALID (a declared correction that says more),
 *   VEX_STATEMENT_INVALID, VEX_SAME_PERSON / VEX_APPROVER_INVALID (ctx.approver),
 *   VEX_EVIDENCE_MISMATCH
 */
export function reviseStatement(
  prev: LifecycleStatement,
  edit: StatementEdit,
  opts: ReviseOptions,
): Revision {
  const next = applyEdit(prev, edit);
  const kinds = changedFields(prev, next).map((f) => ({ f, kind: classify(prev, next, f, opts) }));
  const substantive = kinds.filter((k) => k.kind === 'substantive').map((k) => k.f);
  if (opts.correction !== undefined && substantive.length > 0) {
    throw new VexLifecycleError(
      'VEX_CORRECTION_INVALID',
      `this is no ${opts.correction} correction: it changes ${substantive.join(', ')}; submit it as a revision (a new statement version)`,
      { details: { correction: opts.correction, fields: substantive } },
    );
  }
  if (substantive.length === 0) {
    assertStatementValid(next);
    const trail = kinds.map((k) => record(prev, next, k.f, k.kind, opts, prev.version));
    return { statement: next, versioned: false, needsApproval: needsApproval(next), trail };
  }
  const productsChanged = substantive.includes('products');
  const evidence = productsChanged ? opts.evidence : prev.fixEvidence;
  return newVersion(prev, withoutLifecycle(next), opts, { evidence, compare: opts.compare });
}

/**
 * Make `next` the statement's next version: version + 1, timestamp now, drafted by ctx.by,
 * approved by ctx.approver (checked) or by nobody, fix evidence proven again for `fixed`, the
 * whole checked; every changed field in the trail as substantive. Transitions and the events use
 * it for every new version.
 */
export function newVersion(
  prev: LifecycleStatement,
  next: LifecycleStatement,
  ctx: ActContext,
  fix: {
    evidence?: readonly FixEvidence[] | undefined;
    compare?: CompareVersions | undefined;
  } = {},
): Revision {
  const built: LifecycleStatement = {
    ...withoutLifecycle(next),
    version: prev.version + 1,
    timestamp: ctx.now,
    draftedBy: ctx.by.trim(),
  };
  return finishDraft(prev, built, ctx, fix);
}

/**
 * Check and complete a drafted version (a new one, or a first statement when `prev` is
 * undefined): fix evidence, approver, validity, trail.
 */
export function finishDraft(
  prev: LifecycleStatement | undefined,
  built: LifecycleStatement,
  ctx: ActContext,
  fix: { evidence?: readonly FixEvidence[] | undefined; compare?: CompareVersions | undefined },
): Revision {
  let statement = built;
  if (statement.status === 'fixed' && fix.evidence !== undefined && fix.evidence.length > 0) {
    const subs = statement.products.flatMap((p) => p.subcomponents ?? []);
    assertFixProven(statement.products, subs, fix.evidence, fix.compare);
    statement = { ...statement, fixEvidence: fix.evidence };
  }
  if (ctx.approver !== undefined) {
    assertSecondPerson(ctx.approver, statement.draftedBy);
    statement = { ...statement, approvedBy: ctx.approver.trim() };
  }
  assertStatementValid(statement);
  const fields: StatementField[] =
    prev === undefined
      ? [...SUBSTANTIVE].filter((f) => fieldValue(statement, f) !== undefined)
      : changedFields(prev, statement);
  const trail = fields.map((f) =>
    record(prev, statement, f, 'substantive', ctx, statement.version),
  );
  return { statement, versioned: true, needsApproval: needsApproval(statement), trail };
}

// The edited statement, before versioning decides what else changes.
function applyEdit(prev: LifecycleStatement, edit: StatementEdit): LifecycleStatement {
  const next: Record<string, unknown> = { ...prev };
  for (const [k, v] of Object.entries(edit)) {
    if (k === 'intel') continue;
    if (v === undefined) delete next[k];
    else next[k] = v;
  }
  if (edit.intel !== undefined) {
    const intel: Record<string, unknown> = { ...prev.intel };
    for (const [k, v] of Object.entries(edit.intel)) {
      if (v === undefined) delete intel[k];
      else intel[k] = v;
    }
    if (Object.keys(intel).length === 0) delete next['intel'];
    else next['intel'] = intel;
  }
  return next as unknown as LifecycleStatement;
}

// A new version starts without the previous version's approval and fix evidence.
function withoutLifecycle(s: LifecycleStatement): LifecycleStatement {
  const { approvedBy: _a, fixEvidence: _f, ...rest } = s;
  return rest;
}

// How one changed field changed: in place (metadata, formatting, typo) or substantive.
function classify(
  prev: LifecycleStatement,
  next: LifecycleStatement,
  f: StatementField,
  opts: ReviseOptions,
): ChangeKind {
  if (!(SUBSTANTIVE as readonly string[]).includes(f)) return 'metadata';
  if (f === 'intel.epss') {
    const step = Math.abs((next.intel?.epss ?? 0) - (prev.intel?.epss ?? 0));
    // 1e-9 absorbs binary rounding: 0.3 - 0.2 is a step of 0.1.
    return step >= EPSS_VERSION_STEP - 1e-9 ? 'substantive' : 'metadata';
  }
  if (!TEXT_FIELDS.has(f)) return 'substantive';
  const before = fieldValue(prev, f) as string | undefined;
  const after = fieldValue(next, f) as string | undefined;
  if (before === undefined || after === undefined) return 'substantive';
  if (normalizeFormatting(before) === normalizeFormatting(after)) return 'formatting';
  if (opts.correction === 'typo' && isTypoFix(before, after)) return 'typo';
  return 'substantive';
}

function record(
  prev: LifecycleStatement | undefined,
  next: LifecycleStatement,
  field: StatementField,
  kind: ChangeKind,
  ctx: ActContext,
  version: number,
): ChangeRecord {
  return {
    field,
    kind,
    before: prev === undefined ? undefined : fieldValue(prev, field),
    after: fieldValue(next, field),
    by: ctx.by.trim(),
    at: ctx.now,
    version,
  };
}

/** Text as its words: Unicode NFC, every run of whitespace one space, no leading or trailing space. */
export function normalizeFormatting(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/**
 * Whether `after` corrects misspellings in `before` and nothing else: the same number of words,
 * each changed word at most 2 edits away and at most TYPO_MAX_EDITS in all, the same digits (a
 * version number is guidance), the same negations (not, no, never, -n't, and un-/in-/non-/dis-
 * prefixes: "affected" to "unaffected" is two edits and the opposite meaning).
 */
export function isTypoFix(before: string, after: string): boolean {
  const a = normalizeFormatting(before).split(' ');
  const b = normalizeFormatting(after).split(' ');
  if (a.length !== b.length) return false;
  if (digits(before) !== digits(after)) return false;
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    if (negates(x) !== negates(y) || prefixNegation(x, y)) return false;
    const d = editDistance(x.toLowerCase(), y.toLowerCase(), 3);
    if (d > 2) return false;
    total += Math.max(d, 1);
  }
  return total <= TYPO_MAX_EDITS;
}

function digits(text: string): string {
  return (text.match(/\d+/gu) ?? []).join(',');
}

const NEGATIONS = new Set(['not', 'no', 'never', 'none', 'nor', 'cannot', 'without', 'neither']);

function negates(word: string): boolean {
  const w = word.toLowerCase().replace(/[^\p{L}']/gu, '');
  return NEGATIONS.has(w) || w.endsWith("n't");
}

// "affected" / "unaffected", "secure" / "insecure", "exploitable" / "nonexploitable".
function prefixNegation(x: string, y: string): boolean {
  const [s, l] =
    x.length <= y.length ? [x.toLowerCase(), y.toLowerCase()] : [y.toLowerCase(), x.toLowerCase()];
  return ['un', 'in', 'im', 'ir', 'il', 'non', 'non-', 'dis'].some((p) => l === p + s);
}

// Optimal string alignment distance (adjacent transpositions count once), stopping past `cap`.
function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (prev2[j - 2] as number) + 1);
      }
      cur.push(d);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length] as number;
}
