import type { LifecycleStatement, StatusChange } from '../../src/vex/index.js';
import { changeStatus, draftStatements } from '../../src/vex/index.js';

/** Fixed instants for the tests (the lifecycle takes time as a parameter). */
export const T0 = '2025-03-01T10:00:00Z';
export const T1 = '2025-03-02T10:00:00Z';
export const T2 = '2025-03-03T10:00:00Z';

export const PRODUCT = 'pkg:npm/acme-portal';
export const COMPONENT = 'pkg:npm/left-pad';

/** The system's draft for CVE-2024-1234 on acme-portal 1.0.0 (left-pad 1.2.0 inside). */
export function draft(versions: readonly string[] = ['1.0.0']): LifecycleStatement {
  const [r] = draftStatements(
    { id: 'CVE-2024-1234', aliases: ['GHSA-aaaa-bbbb-cccc'], summary: 'Prototype pollution' },
    versions.map((v) => ({ product: `${PRODUCT}@${v}`, component: `${COMPONENT}@1.2.0` })),
    T0,
  );
  if (r === undefined) throw new Error('no draft');
  return r.statement;
}

/** A complete change to each status. */
export const TO: Readonly<Record<LifecycleStatement['status'], StatusChange>> = {
  under_investigation: { status: 'under_investigation', statusNotes: 'Looking again.' },
  affected: { status: 'affected', actionStatement: 'Upgrade to 1.0.1.', responses: ['update'] },
  not_affected: { status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' },
  fixed: { status: 'fixed' },
};

/** A statement in `status`, reached from the draft by allowed transitions (alice drafts). */
export function inStatus(status: LifecycleStatement['status']): LifecycleStatement {
  const d = draft();
  if (status === 'under_investigation') return d;
  return changeStatus(d, TO[status], { by: 'alice', now: T1, approver: 'bob' }).statement;
}
