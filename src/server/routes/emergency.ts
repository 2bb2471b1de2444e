import type { FastifyInstance } from 'fastify';
import { audit } from '../../app/audit-trail.js';
import type { CaService } from '../../app/ca/index.js';
import { EMERGENCY_MAX_SECONDS } from '../../app/ca/service.js';
import { nowIso } from '../../app/services.js';
import type { RouteDeps } from '../app.js';

/**
 * Emergency certificates (Brief 3): when the OIDC provider is down and a release must still be
 * signed, an approver signs off on a longer-lived certificate for a named identity. It needs a
 * token with `decision:write` (approver, admin), carries the approver and the reason inside the
 * certificate, and is recorded in the audit trail and the service log as what it is.
 */
export function registerEmergencyRoutes(
  app: FastifyInstance,
  d: RouteDeps & { ca: CaService },
): void {
  app.post(
    '/api/v1/ca/emergency-certificates',
    {
      config: { requires: 'decision:write', permission: 'decision:write' },
      schema: {
        summary:
          "Issue an emergency signing certificate on an approver's sign-off (marked, audited, at most 72 h)",
        tags: ['keyless'],
        body: {
          type: 'object',
          required: ['identity', 'issuer', 'publicKey', 'proofOfPossession', 'reason'],
          properties: {
            identity: { type: 'string', minLength: 3, maxLength: 512 },
            issuer: { type: 'string', minLength: 1, maxLength: 512 },
            publicKey: { type: 'string', minLength: 1, maxLength: 16384 },
            proofOfPossession: { type: 'string', minLength: 1, maxLength: 4096 },
            reason: { type: 'string', minLength: 1, maxLength: 2000 },
            lifetimeHours: {
              type: 'number',
              exclusiveMinimum: 0,
              maximum: EMERGENCY_MAX_SECONDS / 3600,
              default: 24,
            },
          },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      const b = req.body as {
        identity: string;
        issuer: string;
        publicKey: string;
        proofOfPossession: string;
        reason: string;
        lifetimeHours: number;
      };
      const approver = req.caller.principal.actor;
      const issued = await d.ca.emergencyCertificate({
        identity: b.identity,
        issuer: b.issuer,
        publicKey: b.publicKey,
        proofOfPossession: b.proofOfPossession,
        reason: b.reason,
        lifetimeSeconds: Math.round(b.lifetimeHours * 3600),
        approver,
      });
      await audit(
        d.services.db.kysely,
        req.caller,
        {
          action: 'ca.emergency-certificate',
          target: issued.identity,
          details: {
            serialNumber: issued.serialNumber,
            issuer: b.issuer,
            reason: b.reason,
            notBefore: issued.notBefore.toISOString(),
            notAfter: issued.notAfter.toISOString(),
          },
        },
        nowIso(d.services),
      );
      req.log.warn(
        {
          identity: issued.identity,
          approver,
          serialNumber: issued.serialNumber,
          reason: b.reason,
        },
        'emergency certificate issued',
      );
      reply.code(201);
      return {
        emergency: { approver, reason: b.reason },
        serialNumber: issued.serialNumber,
        notBefore: issued.notBefore.toISOString(),
        notAfter: issued.notAfter.toISOString(),
        chain: { certificates: issued.chainPem },
      };
    },
  );
}
