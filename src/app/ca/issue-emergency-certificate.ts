import { type Caller, requirePermission } from '../../access/index.js';
import type { IssuedCertificate } from '../../sign/index.js';
import type { Db } from '../../store/db.js';
import { audit } from '../audit-trail.js';
import type { CaService, EmergencyRequest } from './certificate-issuer.js';

/**
 * Emergency certificates (Brief 3): when the OIDC provider is down and a release must still be
 * signed, an approver signs off on a longer-lived certificate for a named identity. Issuing it
 * and recording it in the audit trail happen in one store transaction: when the audit record
 * cannot be written, the transaction fails and no certificate is handed out.
 * @throws SignError SIGN_CSR_INVALID, SIGN_IDENTITY_MISMATCH; StoreError when the audit write fails
 */
export async function issueEmergencyCertificate(
  s: { db: Pick<Db, 'kysely'>; clock: () => Date },
  ca: Pick<CaService, 'emergencyCertificate'>,
  caller: Caller,
  req: Omit<EmergencyRequest, 'approver'>,
): Promise<IssuedCertificate & { identity: string; approver: string }> {
  // Checked here, where the certificate is issued, whatever face the request came through.
  requirePermission(caller.principal, 'decision:write');
  const approver = caller.principal.actor;
  return s.db.kysely.transaction().execute(async (trx) => {
    const issued = await ca.emergencyCertificate({ ...req, approver });
    await audit(
      trx,
      caller,
      {
        action: 'ca.emergency-certificate',
        target: issued.identity,
        details: {
          serialNumber: issued.serialNumber,
          issuer: req.issuer,
          reason: req.reason,
          notBefore: issued.notBefore.toISOString(),
          notAfter: issued.notAfter.toISOString(),
        },
      },
      s.clock().toISOString(),
    );
    return { ...issued, approver };
  });
}
