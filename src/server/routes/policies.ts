import type { FastifyInstance } from 'fastify';
import {
  evaluateForArtifact,
  gatherEvidence,
  getTeamPolicy,
  listTeamPolicies,
  type PolicyRef,
  PolicyServiceError,
  putTeamPolicy,
} from '../../app/policy/index.js';
import type { RouteDeps } from '../app.js';

const TEAM_AND_NAME = {
  type: 'object',
  required: ['team', 'name'],
  properties: {
    team: { type: 'string', maxLength: 63 },
    name: { type: 'string', maxLength: 63 },
  },
} as const;

// A policy source is capped at 64 KiB by the policy domain; the body a little above, for JSON
// escaping.
const BODY_LIMIT = 160 * 1024;

interface EvaluateBody {
  artifact: string;
  policy?: string;
  team?: string;
  version?: number;
  source?: string;
  params?: Record<string, unknown>;
}

/** Stored team policies (versioned, never overwritten) and policy evaluation over an artifact. */
export function registerPolicyRoutes(app: FastifyInstance, d: RouteDeps): void {
  const s = d.services;

  app.put<{ Params: { team: string; name: string }; Body: { source: string } }>(
    '/api/v1/teams/:team/policies/:name',
    {
      bodyLimit: BODY_LIMIT,
      config: { requires: 'inventory:write', permission: 'inventory:write' },
      schema: {
        summary: "Store a team's CEL policy: a new version when the text changed",
        description:
          '`{"source": "<YAML or JSON>"}`: a policy (name, version, params, rules of CEL) whose `name` is the one in the path. It must parse and every rule compile within the cost limits, or nothing is stored. 201 with the new version; 200 when the text equals the newest version. Admins and publishers of the team.',
        tags: ['policies'],
        params: TEAM_AND_NAME,
        body: {
          type: 'object',
          required: ['source'],
          additionalProperties: false,
          properties: { source: { type: 'string', maxLength: 128 * 1024 } },
        },
      },
    },
    async (req, reply) => {
      const r = await putTeamPolicy(
        s,
        req.caller,
        req.params.team,
        req.params.name,
        req.body.source,
      );
      return reply.code(r.created ? 201 : 200).send(r.policy);
    },
  );

  app.get<{ Params: { team: string; name: string } }>(
    '/api/v1/teams/:team/policies/:name',
    {
      config: { requires: 'inventory:read', permission: 'inventory:read' },
      schema: {
        summary: "A team's policy at its newest version, with its source",
        tags: ['policies'],
        params: TEAM_AND_NAME,
      },
    },
    async (req) => getTeamPolicy(s, req.caller, req.params.team, req.params.name),
  );

  app.get<{ Params: { team: string; name: string; n: number } }>(
    '/api/v1/teams/:team/policies/:name/versions/:n',
    {
      config: { requires: 'inventory:read', permission: 'inventory:read' },
      schema: {
        summary: "One version of a team's policy, with its source",
        tags: ['policies'],
        params: {
          type: 'object',
          required: ['team', 'name', 'n'],
          properties: {
            ...TEAM_AND_NAME.properties,
            n: { type: 'integer', minimum: 1 },
          },
        },
      },
    },
    async (req) => getTeamPolicy(s, req.caller, req.params.team, req.params.name, req.params.n),
  );

  app.get<{ Params: { team: string; name: string } }>(
    '/api/v1/teams/:team/policies/:name/versions',
    {
      config: { requires: 'inventory:read', permission: 'inventory:read' },
      schema: {
        summary: "Every version of a team's policy, oldest first (without sources)",
        tags: ['policies'],
        params: TEAM_AND_NAME,
      },
    },
    async (req) => ({
      items: await listTeamPolicies(s, req.caller, req.params.team, req.params.name),
    }),
  );

  app.get<{ Params: { team: string } }>(
    '/api/v1/teams/:team/policies',
    {
      config: { requires: 'inventory:read', permission: 'inventory:read' },
      schema: {
        summary: "A team's policies at their newest versions (without sources)",
        tags: ['policies'],
        params: {
          type: 'object',
          required: ['team'],
          properties: { team: TEAM_AND_NAME.properties.team },
        },
      },
    },
    async (req) => ({ items: await listTeamPolicies(s, req.caller, req.params.team) }),
  );

  app.get<{ Params: { digest: string } }>(
    '/api/v1/artifacts/:digest/evidence',
    {
      config: { requires: 'inventory:read', permission: 'inventory:read' },
      schema: {
        summary: 'The verified-evidence document of an artifact (what policies are evaluated over)',
        tags: ['policies'],
        params: {
          type: 'object',
          required: ['digest'],
          properties: { digest: { type: 'string', maxLength: 80 } },
        },
      },
    },
    async (req) => gatherEvidence(s, req.caller, req.params.digest),
  );

  app.post<{ Body: EvaluateBody }>(
    '/api/v1/policies/evaluate',
    {
      bodyLimit: BODY_LIMIT,
      config: { requires: 'inventory:read', permission: 'inventory:read' },
      schema: {
        summary: "Evaluate a policy over an artifact's evidence: each rule's result",
        description:
          '`{"artifact": "sha256:…", "policy": "builtin"}`, `{"artifact", "team", "policy": "<stored name>", "version"?}` or `{"artifact", "source": "<YAML or JSON>"}`; `params` override the policy\'s. Each rule passes, fails or errs (`results`); `allowed` is false when a deny rule did not pass. A policy that does not compile or spends its cost budget is refused (422).',
        tags: ['policies'],
        body: {
          type: 'object',
          required: ['artifact'],
          additionalProperties: false,
          properties: {
            artifact: { type: 'string', maxLength: 80 },
            policy: { type: 'string', maxLength: 63 },
            team: { type: 'string', maxLength: 63 },
            version: { type: 'integer', minimum: 1 },
            source: { type: 'string', maxLength: 128 * 1024 },
            params: { type: 'object' },
          },
        },
      },
    },
    async (req) => {
      const b = req.body;
      const r = await evaluateForArtifact(s, req.caller, {
        artifact: b.artifact,
        policy: policyRef(b),
        ...(b.params !== undefined ? { params: b.params } : {}),
      });
      return r.decision;
    },
  );
}

function policyRef(b: EvaluateBody): PolicyRef {
  if (b.source !== undefined && b.policy === undefined && b.team === undefined)
    return { kind: 'inline', source: b.source };
  if (b.source === undefined && b.policy === 'builtin' && b.team === undefined)
    return { kind: 'builtin' };
  if (b.source === undefined && b.policy !== undefined && b.team !== undefined)
    return {
      kind: 'stored',
      team: b.team,
      name: b.policy,
      ...(b.version !== undefined ? { version: b.version } : {}),
    };
  throw new PolicyServiceError(
    'POLICY_REQUEST_INVALID',
    'Name one policy: "policy": "builtin", "team" with "policy" (a stored name), or "source"',
  );
}
