import type { FastifyInstance } from 'fastify';
import type { ApprovalSide, ExceptionState } from '../../admission/exceptions.js';
import type { NamespaceConfigInput } from '../../admission/namespaces.js';
import type { OverrideState } from '../../admission/overrides.js';
import type { AdmissionMode } from '../../admission/types.js';
import {
  approveException,
  approveOverride,
  type BlastRadiusFn,
  getNamespaceConfig,
  listClusterViews,
  listExceptionViews,
  listHealthProbeViews,
  listNamespaceConfigViews,
  listOverrideViews,
  recordHealthProbe,
  registerCluster,
  requestException,
  requestOverride,
  revokeException,
  revokeOverride,
  setNamespaceConfig,
} from '../../app/admission/governance/index.js';
import type { RouteDeps } from '../app.js';

/**
 * Admission governance over HTTP (app/admission/governance/ has the rules): namespace
 * configuration, clusters, exceptions and mode overrides with their approvals, upstream health.
 */

export interface AdmissionGovernanceRouteOptions {
  /** `--admission-default-mode`: what an unconfigured namespace answers (default enforce). */
  defaultMode?: AdmissionMode;
  /** The namespaces and running images an override touches (the deployments inventory). */
  blastRadius?: BlastRadiusFn;
}

const MODES = ['enforce', 'warn', 'audit'];
const NAME = { type: 'string', minLength: 1, maxLength: 63 } as const;
const CLUSTER = { type: 'string', minLength: 1, maxLength: 63, default: '*' } as const;
const ID_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } },
} as const;
const NS_PARAMS = {
  type: 'object',
  required: ['namespace'],
  properties: { namespace: NAME },
} as const;
const IDENTITY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    issuer: { type: 'string', maxLength: 1024 },
    issuerRegexp: { type: 'string', maxLength: 512 },
    subject: { type: 'string', maxLength: 1024 },
    subjectRegexp: { type: 'string', maxLength: 512 },
  },
} as const;
const REASON_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { reason: { type: 'string', maxLength: 500 } },
} as const;
const TAGS = ['admission'];

/** Without the deployments inventory wired, an override's blast radius names its namespaces only. */
const NO_INVENTORY: BlastRadiusFn = async (namespaces) => ({ namespaces, images: [] });

export function registerAdmissionGovernanceRoutes(
  app: FastifyInstance,
  d: RouteDeps,
  o: AdmissionGovernanceRouteOptions = {},
): void {
  const s = d.services;
  const defaultMode = o.defaultMode ?? 'enforce';
  const blastRadius = o.blastRadius ?? NO_INVENTORY;

  // --- namespaces ---

  app.put<{
    Params: { namespace: string };
    Querystring: { cluster: string };
    Body: NamespaceConfigInput;
  }>(
    '/api/v1/admission/namespaces/:namespace',
    {
      config: { requires: 'admin', permission: 'admin' },
      schema: {
        summary: "Set a namespace's admission configuration (a new version per change)",
        description:
          'cluster: a registered cluster, or * (default) for every cluster. A team-scoped admin sets namespaces of its own teams only.',
        tags: TAGS,
        params: NS_PARAMS,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { cluster: CLUSTER },
        },
        body: {
          type: 'object',
          required: ['mode'],
          additionalProperties: false,
          properties: {
            mode: { type: 'string', enum: MODES },
            policy: {
              type: 'object',
              required: ['kind'],
              additionalProperties: false,
              properties: {
                kind: { type: 'string', enum: ['admission-default', 'builtin', 'stored'] },
                team: NAME,
                name: NAME,
                version: { type: 'integer', minimum: 1 },
              },
            },
            team: NAME,
            identities: { type: 'array', maxItems: 50, items: IDENTITY },
            expectedIssuer: { type: 'string', maxLength: 1024 },
            requireDigest: { type: 'boolean' },
            highRisk: { type: 'boolean' },
            acceptFallback: { type: 'boolean' },
          },
        },
      },
    },
    async (req, reply) => {
      const r = await setNamespaceConfig(
        s,
        req.caller,
        req.query.cluster,
        req.params.namespace,
        req.body,
      );
      reply.code(r.created ? 201 : 200);
      return r.config;
    },
  );

  app.get<{ Params: { namespace: string }; Querystring: { cluster: string } }>(
    '/api/v1/admission/namespaces/:namespace',
    {
      config: { requires: 'inventory:read', permission: 'inventory:read' },
      schema: {
        summary:
          'The admission configuration that applies to a namespace (stored, or the secure default)',
        tags: TAGS,
        params: NS_PARAMS,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { cluster: CLUSTER },
        },
      },
    },
    async (req) =>
      getNamespaceConfig(s, req.caller, req.query.cluster, req.params.namespace, defaultMode),
  );

  app.get<{ Querystring: { cluster?: string; limit?: number } }>(
    '/api/v1/admission/namespaces',
    {
      config: { requires: 'inventory:read', permission: 'inventory:read' },
      schema: {
        summary: "Configured namespaces of the token's teams (newest version of each)",
        tags: TAGS,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            cluster: { type: 'string', minLength: 1, maxLength: 63 },
            limit: { type: 'integer', minimum: 1, maximum: 500 },
          },
        },
      },
    },
    async (req) => ({
      items: await listNamespaceConfigViews(s, req.caller, {
        ...(req.query.cluster !== undefined ? { cluster: req.query.cluster } : {}),
        ...(req.query.limit !== undefined ? { limit: req.query.limit } : {}),
      }),
    }),
  );

  // --- clusters ---

  app.post<{ Body: { name: string; certFingerprints?: string[] } }>(
    '/api/v1/admission/clusters',
    {
      config: { requires: 'admin', permission: 'admin' },
      schema: {
        summary:
          'Register a cluster that calls the admission webhook (its bearer token is shown once)',
        tags: TAGS,
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: NAME,
            certFingerprints: {
              type: 'array',
              maxItems: 10,
              items: { type: 'string', maxLength: 120 },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const c = await registerCluster(s, req.caller, req.body);
      req.log.warn({ cluster: c.name }, 'admission cluster registered');
      reply.code(201);
      return c;
    },
  );

  app.get(
    '/api/v1/admission/clusters',
    {
      config: { requires: 'inventory:read', permission: 'inventory:read' },
      schema: { summary: 'Registered clusters (never their tokens)', tags: TAGS },
    },
    async (req) => ({ items: await listClusterViews(s, req.caller) }),
  );

  // --- exceptions ---

  app.post<{
    Body: {
      namespace: string;
      imagePattern: string;
      ticket: string;
      reasons?: string[];
      expiresAt: string;
    };
  }>(
    '/api/v1/admission/exceptions',
    {
      config: { requires: 'inventory:write', permission: 'inventory:write' },
      schema: {
        summary:
          'Ask for an exception: a namespace and image pattern let through despite some reasons, until an expiry (at most 30 days)',
        description:
          "It applies once the service owner (an approver of the namespace's team) and security (an organisation-wide approver) approve, both other people than the requester.",
        tags: TAGS,
        body: {
          type: 'object',
          required: ['namespace', 'imagePattern', 'ticket', 'expiresAt'],
          additionalProperties: false,
          properties: {
            namespace: NAME,
            imagePattern: { type: 'string', minLength: 1, maxLength: 256 },
            ticket: { type: 'string', minLength: 1, maxLength: 200 },
            reasons: { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 40 } },
            expiresAt: { type: 'string', minLength: 1, maxLength: 40 },
          },
        },
      },
    },
    async (req, reply) => {
      const e = await requestException(s, req.caller, req.body);
      reply.code(201);
      return e;
    },
  );

  app.post<{ Params: { id: string }; Querystring: { as?: ApprovalSide } }>(
    '/api/v1/admission/exceptions/:id/approvals',
    {
      config: { requires: 'decision:write', permission: 'decision:write' },
      schema: {
        summary: 'Approve an exception as the service owner or as security (not your own request)',
        tags: TAGS,
        params: ID_PARAMS,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { as: { type: 'string', enum: ['service-owner', 'security'] } },
        },
      },
    },
    async (req) => {
      const e = await approveException(s, req.caller, Number(req.params.id), req.query.as);
      req.log.warn(
        { exception: e.id, state: e.state, approver: req.caller.principal.person },
        'admission exception approved',
      );
      return e;
    },
  );

  app.delete<{ Params: { id: string }; Querystring: { reason?: string } }>(
    '/api/v1/admission/exceptions/:id',
    {
      config: { requires: 'inventory:read', permission: 'inventory:read' },
      schema: {
        summary:
          'Revoke an exception (its requester, an approver or an admin): it stops applying at once',
        tags: TAGS,
        params: ID_PARAMS,
        querystring: REASON_QUERY,
      },
    },
    async (req) => revokeException(s, req.caller, Number(req.params.id), req.query.reason),
  );

  app.get<{ Querystring: { state?: ExceptionState; namespace?: string; limit?: number } }>(
    '/api/v1/admission/exceptions',
    {
      config: { requires: 'inventory:read', permission: 'inventory:read' },
      schema: {
        summary: "Exceptions of the token's teams, newest first, with their state now",
        tags: TAGS,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { type: 'string', enum: ['active', 'pending', 'expired', 'revoked'] },
            namespace: NAME,
            limit: { type: 'integer', minimum: 1, maximum: 500 },
          },
        },
      },
    },
    async (req) => ({
      items: await listExceptionViews(s, req.caller, {
        ...(req.query.state !== undefined ? { state: req.query.state } : {}),
        ...(req.query.namespace !== undefined ? { namespace: req.query.namespace } : {}),
        ...(req.query.limit !== undefined ? { limit: req.query.limit } : {}),
      }),
    }),
  );

  // --- overrides ---

  app.post<{
    Body: {
      namespaces: string[];
      mode: string;
      ticket: string;
      expiresAt: string;
      revertWhenHealthy?: { upstreams: string[]; probes?: number; windowMs?: number };
    };
  }>(
    '/api/v1/admission/overrides',
    {
      config: { requires: 'admin', permission: 'admin' },
      schema: {
        summary:
          'Set a mode override (at most 72 h; two approvers make it active); answers its blast radius',
        tags: TAGS,
        body: {
          type: 'object',
          required: ['namespaces', 'mode', 'ticket', 'expiresAt'],
          additionalProperties: false,
          properties: {
            namespaces: { type: 'array', minItems: 1, maxItems: 100, items: NAME },
            mode: { type: 'string', enum: MODES },
            ticket: { type: 'string', minLength: 1, maxLength: 200 },
            expiresAt: { type: 'string', minLength: 1, maxLength: 40 },
            revertWhenHealthy: {
              type: 'object',
              required: ['upstreams'],
              additionalProperties: false,
              properties: {
                upstreams: { type: 'array', minItems: 1, maxItems: 20, items: NAME },
                probes: { type: 'integer', minimum: 1, maximum: 1000 },
                windowMs: { type: 'integer', minimum: 1000, maximum: 86_400_000 },
              },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const { revertWhenHealthy, ...rest } = req.body;
      const r = await requestOverride(
        s,
        req.caller,
        { ...rest, ...(revertWhenHealthy !== undefined ? { revertWhenHealthy } : {}) },
        blastRadius,
      );
      req.log.warn(
        { override: r.override.id, namespaces: r.override.namespaces, mode: r.override.mode },
        'admission mode override requested',
      );
      reply.code(201);
      return r;
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/admission/overrides/:id/approvals',
    {
      config: { requires: 'decision:write', permission: 'decision:write' },
      schema: {
        summary: 'Approve a mode override (not your own; two people make it active)',
        tags: TAGS,
        params: ID_PARAMS,
      },
    },
    async (req) => {
      const v = await approveOverride(s, req.caller, Number(req.params.id));
      req.log.warn(
        { override: v.id, state: v.state, approver: req.caller.principal.person },
        'admission mode override approved',
      );
      return v;
    },
  );

  app.delete<{ Params: { id: string }; Querystring: { reason?: string } }>(
    '/api/v1/admission/overrides/:id',
    {
      config: { requires: 'inventory:read', permission: 'inventory:read' },
      schema: {
        summary: 'Revoke a mode override (an admin or an approver): it ends at once',
        tags: TAGS,
        params: ID_PARAMS,
        querystring: REASON_QUERY,
      },
    },
    async (req) => revokeOverride(s, req.caller, Number(req.params.id), req.query.reason),
  );

  app.get<{ Querystring: { state?: OverrideState; limit?: number } }>(
    '/api/v1/admission/overrides',
    {
      config: { requires: 'inventory:read', permission: 'inventory:read' },
      schema: {
        summary: 'Mode overrides, newest first, with their state now',
        tags: TAGS,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: {
              type: 'string',
              enum: ['active', 'pending', 'expired', 'reverted', 'revoked'],
            },
            limit: { type: 'integer', minimum: 1, maximum: 500 },
          },
        },
      },
    },
    async (req) => ({
      items: await listOverrideViews(s, req.caller, {
        ...(req.query.state !== undefined ? { state: req.query.state } : {}),
        ...(req.query.limit !== undefined ? { limit: req.query.limit } : {}),
      }),
    }),
  );

  // --- health probes ---

  app.get<{ Querystring: { upstream?: string; since?: string; limit?: number } }>(
    '/api/v1/admission/health-probes',
    {
      config: { requires: 'inventory:read', permission: 'inventory:read' },
      schema: {
        summary: 'Recent upstream health probes, newest first (what overrides revert on)',
        tags: TAGS,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            upstream: NAME,
            since: { type: 'string', format: 'date-time' },
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
          },
        },
      },
    },
    async (req) => ({
      items: await listHealthProbeViews(s, req.caller, {
        ...(req.query.upstream !== undefined ? { upstream: req.query.upstream } : {}),
        ...(req.query.since !== undefined
          ? { since: new Date(req.query.since).toISOString() }
          : {}),
        ...(req.query.limit !== undefined ? { limit: req.query.limit } : {}),
      }),
    }),
  );

  app.post<{ Body: { upstream: string; healthy: boolean; detail?: string } }>(
    '/api/v1/admission/health-probes',
    {
      config: { requires: 'admin', permission: 'admin' },
      schema: {
        summary: "Record an upstream's health as checked elsewhere",
        tags: TAGS,
        body: {
          type: 'object',
          required: ['upstream', 'healthy'],
          additionalProperties: false,
          properties: {
            upstream: NAME,
            healthy: { type: 'boolean' },
            detail: { type: 'string', maxLength: 500 },
          },
        },
      },
    },
    async (req, reply) => {
      reply.code(201);
      return recordHealthProbe(s, req.caller, req.body);
    },
  );
}
