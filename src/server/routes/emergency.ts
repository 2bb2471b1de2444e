import type { FastifyInstance } from 'fastify';
import { type CaService, EMERGENCY_MAX_SECONDS } from '../../app/ca/certificate-issuer.js';
import { issueEmergencyCertificate } from '../../app/ca/issue-emergency-certificate.js';
import type { RouteDeps } from '../app.js';

/**
 * Emergency certificates (Brief 3): when the OIDC provider is down and a release must still be
 * signed, an approver signs off on a longer-lived certificate for a named identity. It needs a
 * token with `decision:write` (approver, admin), carries the approver and the reason inside the
 * certificate, and is recorded in the audit trail (in the same transaction) and the service log.
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
      const issued = await issueEmergencyCertificate(d.services, d.ca, req.caller, {
        identity: b.identity,
        issuer: b.issuer,
        publicKey: b.publicKey,
        proofOfPossession: b.proofOfPossession,
        reason: b.reason,
        lifetimeSeconds: Math.round(b.lifetimeHours * 3600),
      });
      const approver = issued.approver;
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
