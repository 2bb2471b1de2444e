import type { VexDocument, VexStatement } from '../formats/index.js';
import { needsApproval } from './approval.js';
import { VexLifecycleError } from './errors.js';
import { assertPerson } from './people.js';
import type { ActContext, LifecycleStatement, Revision } from './statement.js';

/** True while a statement is confidential: a private disclosure not yet disclosed. */
export function isConfidential(s: VexStatement): boolean {
  return s.confidential === true;
}

/**
 * What may leave the owning team: `statements` without the confidential ones, and without any
 * other statement that names a confidential vulnerability (its id or an alias, anywhere in its
 * text), since that would reveal it. Use it for everything public: the public VEX endpoint,
 * exports, the transparency log, search and metrics.
 */
export function redactConfidential<S extends VexStatement>(statements: readonly S[]): S[] {
  const secrets = statements
    .filter(isConfidential)
    .flatMap((s) => [s.vulnerability, ...(s.aliases ?? [])])
    .map((id) => id.trim().toLowerCase())
    .filter((id) => id !== '');
  return statements.filter((s) => {
    if (isConfidential(s)) return false;
    const text = JSON.stringify(s).toLowerCase();
    return !secrets.some((id) => text.includes(id));
  });
}

/**
 * The public form of a document: confidential statements redacted, statements still waiting
 * for approval left out, and the lifecycle's own fields (who drafted and approved, fix evidence,
 * intelligence) dropped, leaving the common model the writers take.
 */
export function publishableDocument(
  doc: Omit<VexDocument, 'statements'> & { statements: readonly LifecycleStatement[] },
): VexDocument {
  const statements = redactConfidential(doc.statements)
    .filter((s) => !needsApproval(s))
    .map(toPublicStatement);
  return { ...doc, statements };
}

/** A statement as the common model has it: the lifecycle's fields dropped. */
export function toPublicStatement(s: LifecycleStatement): VexStatement {
  const {
    draftedBy: _d,
    approvedBy: _a,
    fixEvidence: _f,
    intel: _i,
    disclosedAt: _at,
    confidential: _c,
    ...rest
  } = s;
  return rest;
}

/** A label for metrics and logs: the vulnerability id, or `confidential` while it is one. */
export function metricLabel(s: VexStatement): string {
  return isConfidential(s) ? 'confidential' : s.vulnerability;
}

/**
 * Disclose a confidential statement (the coordinated disclosure date came): it becomes public,
 * in place (what it says does not change, so neither does its version); the trail records who
 * disclosed it and when. It is still published only once approved where approval is needed.
 * @throws VexLifecycleError VEX_TRANSITION_INVALID (not confidential), VEX_APPROVER_INVALID
 */
export function discloseStatement(s: LifecycleStatement, ctx: ActContext): Revision {
  if (!isConfidential(s)) {
    throw new VexLifecycleError(
      'VEX_TRANSITION_INVALID',
      'this statement is not confidential, so there is nothing to disclose (a public statement never becomes confidential again)',
      { details: { version: s.version } },
    );
  }
  assertPerson(ctx.by, 'discloser');
  const statement: LifecycleStatement = { ...s, confidential: false, disclosedAt: ctx.now };
  return {
    statement,
    versioned: false,
    needsApproval: needsApproval(statement),
    trail: [
      {
        field: 'confidential',
        kind: 'disclosure',
        before: true,
        after: false,
        by: ctx.by.trim(),
        at: ctx.now,
        version: s.version,
      },
    ],
  };
}
