import type { FastifyInstance } from 'fastify';
import { type CaService, EMERGENCY_MAX_SECONDS } from '../../app/ca/certificate-issuer.js';
import {
  approveEmergencyRequest,
  getEmergencyRequest,
  listEmergencyRequestViews,
  requestEmergencyCertificate,
} from '../../app/ca/emergency-requests.js';
import type { RouteDeps } from '../app.js';

const ID_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } },
} as const;

/**
 * Emergency certificates (Brief 3): one person asks, another approves, the certificate is logged
 * in the transparency log and then handed out (app/ca/emergency-requests.ts has the rules).
 */
export function registerEmergencyRoutes(
  app: FastifyInstance,
  d: RouteDeps & { ca: CaService },
): void {
  const s = d.services;

  app.post<{
    Body: {
      team: string;
      identity: string;
      publicKey: string;
      proofOfPossession: string;
      reason: string;
      lifetimeHours: number;
    };
  }>(
    '/api/v1/ca/emergency-requests',
    {
      config: { requires: 'inventory:write', permission: 'inventory:write' },
      schema: {
        summary: 'Ask for an emergency signing certificate (another person must approve it)',
        description:
          "The identity must be admitted by the team's signing identities; proofOfPossession is the key's base64 signature over the identity. The request waits 24 h for an approval.",
        tags: ['keyless'],
        body: {
          type: 'object',
          required: ['team', 'identity', 'publicKey', 'proofOfPossession', 'reason'],
          properties: {
            team: { type: 'string', minLength: 1, maxLength: 63 },
            identity: { type: 'string', minLength: 1, maxLength: 512 },
            publicKey: { type: 'string', minLength: 1, maxLength: 16384 },
            proofOfPossession: { type: 'string', minLength: 1, maxLength: 4096 },
            reason: { type: 'string', minLength: 1, maxLength: 2000 },
            lifetimeHours: {
              type: 'integer',
              minimum: 1,
              maximum: EMERGENCY_MAX_SECONDS / 3600,
              default: 24,
            },
          },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const r = await requestEmergencyCertificate(s, d.ca, req.caller, {
        team: b.team,
        identity: b.identity,
        publicKey: b.publicKey,
        proofOfPossession: b.proofOfPossession,
        reason: b.reason,
        lifetimeSeconds: b.lifetimeHours * 3600,
      });
      req.log.warn(
        { emergencyRequest: r.id, team: r.team, identity: r.identity, requester: r.requester },
        'emergency certificate requested',
      );
      reply.code(201);
      return r;
    },
  );

  app.get<{ Querystring: { status?: 'pending' | 'issuing' | 'issued'; limit?: number } }>(
    '/api/v1/ca/emergency-requests',
    {
      config: { requires: 'inventory:read', permission: 'inventory:read' },
      schema: {
        summary: "Emergency certificate requests of the token's teams, newest first",
        tags: ['keyless'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: ['pending', 'issuing', 'issued'] },
            limit: { type: 'integer', minimum: 1, maximum: 500 },
          },
        },
      },
    },
    async (req) => ({
      items: await listEmergencyRequestViews(s, d.ca, req.caller, {
        ...(req.query.status !== undefined ? { status: req.query.status } : {}),
        ...(req.query.limit !== undefined ? { limit: req.query.limit } : {}),
      }),
    }),
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/ca/emergency-requests/:id',
    {
      config: { requires: 'inventory:read', permission: 'inventory:read' },
      schema: {
        summary: 'An emergency certificate request, and its certificate once approved',
        tags: ['keyless'],
        params: ID_PARAMS,
      },
    },
    async (req) => getEmergencyRequest(s, d.ca, req.caller, Number(req.params.id)),
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/ca/emergency-requests/:id/approve',
    {
      config: { requires: 'decision:write', permission: 'decision:write' },
      schema: {
        summary:
          'Approve an emergency request (not your own): the certificate is issued, logged in the transparency log and audited',
        tags: ['keyless'],
        params: ID_PARAMS,
      },
    },
    async (req) => {
      const r = await approveEmergencyRequest(s, d.ca, req.caller, Number(req.params.id));
      req.log.warn(
        {
          emergencyRequest: r.id,
          identity: r.identity,
          requester: r.requester,
          approver: r.approver,
          serialNumber: r.certificate?.serialNumber,
          tlogIndex: r.certificate?.tlogIndex,
        },
        'emergency certificate issued',
      );
      return r;
    },
  );
}
