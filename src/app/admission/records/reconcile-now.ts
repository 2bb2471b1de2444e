import { type Caller, requireOrganisationWide, requirePermission } from '../../../access/index.js';
import { audit } from '../../audit-trail.js';
import { recheckCaller } from '../../recheck-caller.js';
import { nowIso, type Services } from '../../services.js';
import { AdmissionRecordsError } from './errors.js';
import {
  type NamespaceConfigOf,
  type ReconcileChecker,
  type ReconcileRun,
  reconcileDegraded,
} from './reconcile.js';

/** What reconciliation runs with: the image checks and the namespaces' configuration. */
export interface ReconcileDeps {
  checker: ReconcileChecker;
  governanceNs: NamespaceConfigOf;
}

/**
 * Run reconciliation now (an organisation-wide admin), instead of waiting for the periodic job,
 * and record that it was asked for in the audit trail.
 * @throws AccessError AUTH_FORBIDDEN, AUTH_TOKEN_INVALID; AdmissionRecordsError
 *   ADMISSION_RECONCILE_UNAVAILABLE when this service checks no images
 */
export async function reconcileNow(
  s: Services,
  caller: Caller,
  deps: ReconcileDeps | undefined,
): Promise<ReconcileRun> {
  requirePermission(caller.principal, 'admin');
  requireOrganisationWide(
    caller.principal,
    'Reconciliation covers every namespace: only an organisation-wide admin may run it',
  );
  if (deps === undefined)
    throw new AdmissionRecordsError(
      'ADMISSION_RECONCILE_UNAVAILABLE',
      'This service runs no admission engine to re-check images with; reconcile on a replica that serves admission',
    );
  await s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, nowIso(s));
    requirePermission(caller.principal, 'admin');
  });
  const run = await reconcileDegraded(s, deps.checker, deps.governanceNs, s.clock());
  await s.db.kysely
    .transaction()
    .execute(async (trx) =>
      audit(
        trx,
        caller,
        { action: 'admission.reconcile', target: 'admission:decisions', details: { ...run } },
        nowIso(s),
      ),
    );
  return run;
}
