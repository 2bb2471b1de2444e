import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROLES, type Role } from '../../src/access/index.js';
import { type Keyless, openKeyless } from '../../src/app/ca/open-keyless.js';
import { CLI_CALLER, createToken } from '../../src/app/tokens.js';
import {
  buildStatement,
  generateKey,
  loadBundleBuilder,
  loadSigningKey,
} from '../../src/sign/index.js';
import { conformancePath } from '../helpers/conformance.js';
import { keylessBundle } from '../helpers/keyless.js';
import {
  BACKENDS,
  call,
  errorCode,
  push,
  sbomFixtures,
  snapshot,
  startServer,
  type TestServer,
  tokenFor,
} from '../helpers/server.js';

/** What one request of a route looks like for one caller (`who` keeps writes apart). */
interface Req {
  path: string;
  body?: unknown;
  contentType?: string;
}

interface Ctx {
  fixtures: Awaited<ReturnType<typeof sbomFixtures>>;
  release1: number;
  release2: number;
  sbom: number;
  /** The artifact digest `sbom` is filed under. */
  artifact: string;
  /** A throw-away token id per caller, for DELETE /api/v1/tokens/:id. */
  spareTokens: Record<string, number>;
  /** A bundle over `sbom` per writer, signed with a key team alpha registered. */
  bundles: Record<string, string>;
  /** Per writer: SLSA provenance about seed 1.0.0's artifact, and a supplier intake body. */
  attestations: Record<string, string>;
  intakes: Record<string, unknown>;
  /** VEX statements on product `seed`: one per caller for the routes that move a status. */
  vex: {
    drafts: Record<string, number>;
    fixable: Record<string, number>;
    /** A judgment the admin person drafted, waiting for approval. */
    pending: number;
    /** A confidential statement (drafted by the approver person). */
    confidential: number;
    /**
     * Keyless publications of product `sealed` (which no other route changes), one per VEX
     * writer, prepared by that writer in its own format, and its bundle (made with a CA the
     * server trusts but does not run, so /openapi.json stays the keyless-free one).
     */
    publications: Record<string, { id: number; bundle: string }>;
  };
  /** Per caller, a login grant to revoke. */
  loginGrants?: Record<string, number>;
  /** Admission governance: per caller, an exception and an override to approve and to revoke. */
  admission?: {
    approveException: Record<string, string>;
    revokeException: Record<string, string>;
    approveOverride: Record<string, string>;
    revokeOverride: Record<string, string>;
  };
}

interface Route {
  method: string;
  /** As Fastify and the OpenAPI document (with {x}) spell it. */
  path: string;
  /** Roles that may call it (with an organisation-wide token). */
  allowed: readonly Role[];
  /** Status of an allowed call. */
  ok: number;
  req: (ctx: Ctx, who: string) => Req;
}

const ALL = ROLES;
const READERS = ROLES; // every role has inventory:read
const WRITERS: Role[] = ['admin', 'publisher'];
const ADMIN: Role[] = ['admin'];
const AUDIT: Role[] = ['admin', 'auditor'];
/** Who writes VEX statements and publishes VEX: publishers and approvers (admin, a publisher). */
const VEX_WRITERS: Role[] = ['admin', 'publisher', 'approver'];

/** A minimal OSV record of one npm package. */
function osvRecord(id: string): string {
  return JSON.stringify({
    schema_version: '1.6.0',
    id,
    modified: '2026-01-01T00:00:00Z',
    affected: [
      {
        package: { ecosystem: 'npm', name: 'left-pad' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.0' }] }],
      },
    ],
  });
}

/** CISA's real catalogue cut to its first entry (the whole file is over the body limit). */
function kevCatalogue(): string {
  const kev = JSON.parse(
    readFileSync(
      conformancePath('advisories', 'kev', 'known_exploited_vulnerabilities.json'),
      'utf8',
    ),
  ) as { vulnerabilities: unknown[]; count: number };
  return JSON.stringify({ ...kev, count: 1, vulnerabilities: kev.vulnerabilities.slice(0, 1) });
}

/** Every route the service has, who may call it, and a well-formed request for it. */
const ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/openapi.json',
    allowed: ALL,
    ok: 200,
    req: () => ({ path: '/openapi.json' }),
  },
  { method: 'GET', path: '/metrics', allowed: READERS, ok: 200, req: () => ({ path: '/metrics' }) },
  {
    method: 'GET',
    path: '/api/v1/whoami',
    allowed: ALL,
    ok: 200,
    req: () => ({ path: '/api/v1/whoami' }),
  },
  {
    method: 'POST',
    path: '/api/v1/sboms',
    allowed: WRITERS,
    ok: 201,
    req: (c, who) => ({
      path: `/api/v1/sboms?product=push-${who}&release=1.0.0&team=alpha`,
      body: c.fixtures.demo,
      contentType: 'application/vnd.cyclonedx+json',
    }),
  },
  {
    method: 'GET',
    path: '/api/v1/sboms/{id}',
    allowed: READERS,
    ok: 200,
    req: (c) => ({ path: `/api/v1/sboms/${c.sbom}` }),
  },
  {
    method: 'POST',
    path: '/api/v1/sboms/{id}/bundles',
    allowed: WRITERS,
    ok: 201,
    req: (c, who) => ({
      path: `/api/v1/sboms/${c.sbom}/bundles`,
      body: c.bundles[who] ?? '{}',
      contentType: 'application/json',
    }),
  },
  {
    method: 'GET',
    path: '/api/v1/sboms/{id}/document',
    allowed: READERS,
    ok: 200,
    req: (c) => ({ path: `/api/v1/sboms/${c.sbom}/document` }),
  },
  {
    method: 'GET',
    path: '/api/v1/components',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/components?name=express' }),
  },
  {
    method: 'POST',
    path: '/api/v1/advisories',
    allowed: WRITERS,
    ok: 201,
    req: (_c, who) => ({
      path: '/api/v1/advisories',
      body: osvRecord(`x_CUSTODY-ACCESS-${who}`),
      contentType: 'application/json',
    }),
  },
  {
    method: 'PUT',
    path: '/api/v1/feeds/kev',
    allowed: WRITERS,
    ok: 200,
    req: () => ({
      path: '/api/v1/feeds/kev',
      body: kevCatalogue(),
      contentType: 'application/json',
    }),
  },
  {
    method: 'PUT',
    path: '/api/v1/feeds/epss',
    allowed: WRITERS,
    ok: 200,
    req: () => ({
      path: '/api/v1/feeds/epss',
      body: '#model_version:v2023.03.01,score_date:2026-01-01T00:00:00+0000\ncve,epss,percentile\nCVE-2021-23337,0.10,0.50\n',
      contentType: 'text/csv',
    }),
  },
  {
    method: 'GET',
    path: '/api/v1/vulnerabilities',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/vulnerabilities' }),
  },
  {
    method: 'GET',
    path: '/api/v1/match-problems',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/match-problems?product=seed' }),
  },
  {
    method: 'GET',
    path: '/api/v1/vulnerabilities/{id}',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/vulnerabilities/x_CUSTODY-ACCESS-SEED' }),
  },
  {
    method: 'GET',
    path: '/api/v1/follow-ups',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/follow-ups' }),
  },
  {
    method: 'GET',
    path: '/api/v1/products',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/products' }),
  },
  {
    method: 'GET',
    path: '/api/v1/products/{name}',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/products/seed' }),
  },
  {
    method: 'GET',
    path: '/api/v1/products/{name}/releases/{version}',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/products/seed/releases/1.0.0' }),
  },
  {
    method: 'POST',
    path: '/api/v1/products/{name}/releases/{version}/attestations',
    allowed: WRITERS,
    ok: 201,
    req: (c, who) => ({
      path: '/api/v1/products/seed/releases/1.0.0/attestations',
      body: c.attestations[who] ?? '{}',
      contentType: 'application/json',
    }),
  },
  {
    method: 'GET',
    path: '/api/v1/products/{name}/releases/{version}/attestations',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/products/seed/releases/1.0.0/attestations' }),
  },
  {
    method: 'GET',
    path: '/api/v1/products/{name}/releases/{version}/evidence',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/products/seed/releases/1.0.0/evidence' }),
  },
  {
    method: 'GET',
    path: '/api/v1/products/{name}/runbook',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/products/seed/runbook' }),
  },
  {
    method: 'GET',
    path: '/api/v1/products/{name}/releases/{version}/slsa',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/products/seed/releases/1.0.0/slsa' }),
  },
  {
    method: 'POST',
    path: '/api/v1/products/{name}/releases/{version}/rebuild-checks',
    allowed: WRITERS,
    ok: 201,
    req: () => ({
      path: '/api/v1/products/seed/releases/1.0.0/rebuild-checks',
      body: { rebuiltDigest: `sha256:${'0'.repeat(64)}`, command: 'make' },
    }),
  },
  {
    method: 'GET',
    path: '/api/v1/products/{name}/releases/{version}/rebuild-checks',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/products/seed/releases/1.0.0/rebuild-checks' }),
  },
  {
    method: 'POST',
    path: '/api/v1/supplier-intakes',
    allowed: WRITERS,
    ok: 201,
    req: (c, who) => ({ path: '/api/v1/supplier-intakes', body: c.intakes[who] ?? {} }),
  },
  {
    method: 'GET',
    path: '/api/v1/teams/{name}/slsa',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/teams/alpha/slsa' }),
  },
  {
    method: 'PUT',
    path: '/api/v1/teams/{name}/slsa',
    allowed: ADMIN,
    ok: 200,
    req: () => ({ path: '/api/v1/teams/alpha/slsa', body: { builders: [] } }),
  },
  {
    method: 'GET',
    path: '/api/v1/releases/{id}',
    allowed: READERS,
    ok: 200,
    req: (c) => ({ path: `/api/v1/releases/${c.release1}` }),
  },
  {
    method: 'PATCH',
    path: '/api/v1/releases/{id}',
    allowed: WRITERS,
    ok: 200,
    req: (c) => ({ path: `/api/v1/releases/${c.release1}`, body: { deployed: true } }),
  },
  {
    method: 'GET',
    path: '/api/v1/dashboard/overview',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/dashboard/overview' }),
  },
  {
    method: 'GET',
    path: '/api/v1/dashboard/releases',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/dashboard/releases?limit=5' }),
  },
  {
    method: 'GET',
    path: '/api/v1/dashboard/search',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/dashboard/search?q=pkg:npm/lodash' }),
  },
  {
    method: 'GET',
    path: '/api/v1/dashboard/scorecards',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/dashboard/scorecards' }),
  },
  {
    method: 'GET',
    path: '/api/v1/dashboard/risk-contributors',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/dashboard/risk-contributors' }),
  },
  {
    method: 'GET',
    path: '/api/v1/dashboard/vulnerabilities',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/dashboard/vulnerabilities' }),
  },
  {
    method: 'GET',
    path: '/api/v1/dashboard/vex-queue',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/dashboard/vex-queue' }),
  },
  {
    method: 'GET',
    path: '/api/v1/dashboard/releases/{id}',
    allowed: READERS,
    ok: 200,
    req: (c) => ({ path: `/api/v1/dashboard/releases/${c.release1}` }),
  },
  {
    method: 'GET',
    path: '/api/v1/dashboard/releases/{id}/components',
    allowed: READERS,
    ok: 200,
    req: (c) => ({ path: `/api/v1/dashboard/releases/${c.release1}/components` }),
  },
  {
    method: 'GET',
    path: '/api/v1/releases/{id}/diff',
    allowed: READERS,
    ok: 200,
    req: (c) => ({ path: `/api/v1/releases/${c.release2}/diff?against=${c.release1}` }),
  },
  {
    method: 'GET',
    path: '/api/v1/portfolio',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/portfolio' }),
  },
  {
    method: 'GET',
    path: '/api/v1/teams',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/teams' }),
  },
  {
    method: 'POST',
    path: '/api/v1/teams',
    allowed: ADMIN,
    ok: 201,
    req: (_c, who) => ({ path: '/api/v1/teams', body: { name: `team-${who}` } }),
  },
  {
    method: 'PUT',
    path: '/api/v1/teams/{name}/gate-policy',
    allowed: ADMIN,
    ok: 200,
    req: () => ({
      path: '/api/v1/teams/gated/gate-policy',
      body: 'require: [ntia.version]\n',
      contentType: 'application/yaml',
    }),
  },
  {
    method: 'PUT',
    path: '/api/v1/teams/{name}/signing-identities',
    allowed: ADMIN,
    ok: 200,
    req: () => ({
      path: '/api/v1/teams/gated/signing-identities',
      body: { identities: [{ issuer: 'https://issuer.example', subject: '.*@example\\.com' }] },
    }),
  },
  {
    method: 'GET',
    path: '/api/v1/tokens',
    allowed: ADMIN,
    ok: 200,
    req: () => ({ path: '/api/v1/tokens' }),
  },
  {
    method: 'POST',
    path: '/api/v1/tokens',
    allowed: ADMIN,
    ok: 201,
    req: () => ({
      path: '/api/v1/tokens',
      body: { role: 'viewer', person: 'pat', teams: ['alpha'] },
    }),
  },
  {
    method: 'DELETE',
    path: '/api/v1/tokens/{id}',
    allowed: ADMIN,
    ok: 204,
    req: (c, who) => ({ path: `/api/v1/tokens/${c.spareTokens[who]}` }),
  },
  {
    method: 'GET',
    path: '/api/v1/login-grants',
    allowed: ADMIN,
    ok: 200,
    req: () => ({ path: '/api/v1/login-grants' }),
  },
  {
    method: 'POST',
    path: '/api/v1/login-grants',
    allowed: ADMIN,
    ok: 201,
    req: (_c, who) => ({
      path: '/api/v1/login-grants',
      body: {
        issuer: 'https://idp.access.test',
        subject: `access-${who}`,
        person: 'pat',
        role: 'viewer',
        teams: ['alpha'],
      },
    }),
  },
  {
    method: 'DELETE',
    path: '/api/v1/login-grants/{id}',
    allowed: ADMIN,
    ok: 204,
    req: (c, who) => ({ path: `/api/v1/login-grants/${c.loginGrants?.[who]}` }),
  },
  {
    method: 'POST',
    path: '/api/v1/logout',
    allowed: ALL,
    ok: 200,
    req: () => ({ path: '/api/v1/logout' }),
  },
  {
    method: 'GET',
    path: '/api/v1/audit',
    allowed: AUDIT,
    ok: 200,
    req: () => ({ path: '/api/v1/audit' }),
  },
  {
    method: 'GET',
    path: '/api/v1/audit/verify',
    allowed: AUDIT,
    ok: 200,
    req: () => ({ path: '/api/v1/audit/verify' }),
  },
  {
    method: 'GET',
    path: '/api/v1/audit/chain',
    allowed: AUDIT,
    ok: 200,
    req: () => ({ path: '/api/v1/audit/chain?after=0&limit=10' }),
  },
  {
    method: 'POST',
    path: '/api/v1/audit/anchor',
    allowed: ADMIN,
    ok: 200,
    req: () => ({ path: '/api/v1/audit/anchor' }),
  },
  {
    method: 'POST',
    path: '/api/v1/tlog/reports',
    allowed: AUDIT,
    ok: 201,
    req: (_c, who) => ({
      path: '/api/v1/tlog/reports',
      body: {
        name: `monitor-${who}`,
        kind: 'monitor',
        origin: 'example.org/log',
        size: 3,
        rootHash: Buffer.alloc(32).toString('base64'),
        verifiedAt: '2026-01-01T00:00:00Z',
      },
    }),
  },
  {
    method: 'GET',
    path: '/api/v1/tlog/reporters',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/tlog/reporters' }),
  },
  {
    method: 'GET',
    path: '/api/v1/vex/{product}',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/vex/seed?format=openvex' }),
  },
  {
    method: 'GET',
    path: '/api/v1/vex/{product}/bundle',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/vex/seed/bundle' }),
  },
  {
    method: 'POST',
    path: '/api/v1/vex/{product}/publish',
    allowed: VEX_WRITERS,
    ok: 201,
    req: () => ({ path: '/api/v1/vex/seed/publish?format=csaf' }),
  },
  {
    method: 'GET',
    path: '/api/v1/vex/{product}/published',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/vex/seed/published?format=openvex' }),
  },
  {
    method: 'POST',
    path: '/api/v1/vex/{product}/publications',
    allowed: VEX_WRITERS,
    ok: 201,
    req: () => ({
      path: '/api/v1/vex/seed/publications',
      body: { format: 'csaf', signing: 'keyless' },
    }),
  },
  {
    method: 'GET',
    path: '/api/v1/vex/{product}/publications/{id}',
    allowed: VEX_WRITERS,
    ok: 200,
    req: (c) => ({ path: `/api/v1/vex/sealed/publications/${c.vex.publications['admin']?.id}` }),
  },
  {
    method: 'POST',
    path: '/api/v1/vex/{product}/publications/{id}/bundle',
    allowed: VEX_WRITERS,
    ok: 201,
    req: (c, who) => {
      // Callers that may not complete one try the admin's.
      const p = c.vex.publications[who] ?? c.vex.publications['admin'];
      return {
        path: `/api/v1/vex/sealed/publications/${p?.id}/bundle`,
        body: p?.bundle ?? '{}',
        contentType: 'application/json',
      };
    },
  },
  {
    method: 'GET',
    path: '/api/v1/vex/{product}/statements',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/vex/seed/statements' }),
  },
  {
    method: 'POST',
    path: '/api/v1/vex/{product}/statements',
    allowed: VEX_WRITERS,
    ok: 201,
    req: (_c, who) => ({
      path: '/api/v1/vex/seed/statements',
      body: { vulnerability: `CVE-2030-${who}`, components: ['pkg:npm/lodash@4.17.20'] },
    }),
  },
  {
    method: 'GET',
    path: '/api/v1/vex-statements/{id}',
    allowed: READERS,
    ok: 200,
    req: (c, who) => ({ path: `/api/v1/vex-statements/${c.vex.drafts[who]}` }),
  },
  {
    method: 'POST',
    path: '/api/v1/vex-statements/{id}/revise',
    allowed: VEX_WRITERS,
    ok: 200,
    req: (c, who) => ({
      path: `/api/v1/vex-statements/${c.vex.drafts[who]}/revise`,
      body: { edit: { statusNotes: `checked by ${who}` } },
    }),
  },
  {
    method: 'POST',
    path: '/api/v1/vex-statements/{id}/transition',
    allowed: VEX_WRITERS,
    ok: 200,
    req: (c, who) => ({
      path: `/api/v1/vex-statements/${c.vex.drafts[who]}/transition`,
      body: { status: 'affected', actionStatement: 'update to 1.1.0' },
    }),
  },
  {
    method: 'POST',
    path: '/api/v1/vex-statements/{id}/eol',
    allowed: VEX_WRITERS,
    ok: 200,
    req: (c, who) => ({
      path: `/api/v1/vex-statements/${c.vex.drafts[who]}/eol`,
      body: { actionStatement: 'seed 1.x is end of life: move to 2.x' },
    }),
  },
  {
    method: 'POST',
    path: '/api/v1/vex-statements/{id}/fixed',
    allowed: VEX_WRITERS,
    ok: 200,
    req: (c, who) => ({
      path: `/api/v1/vex-statements/${c.vex.fixable[who]}/fixed`,
      body: { fixedVersion: '4.17.21' },
    }),
  },
  {
    method: 'POST',
    path: '/api/v1/vex-statements/{id}/approve',
    allowed: ['approver'],
    ok: 200,
    req: (c) => ({ path: `/api/v1/vex-statements/${c.vex.pending}/approve` }),
  },
  {
    method: 'POST',
    path: '/api/v1/vex-statements/{id}/disclose',
    allowed: ['approver'],
    ok: 200,
    req: (c) => ({ path: `/api/v1/vex-statements/${c.vex.confidential}/disclose` }),
  },
  // Policies (policy/, app/policy): writers store versions, every reader reads and evaluates.
  {
    method: 'PUT',
    path: '/api/v1/teams/{team}/policies/{name}',
    allowed: WRITERS,
    ok: 201,
    req: (_c, who) => ({
      path: '/api/v1/teams/alpha/policies/acc',
      body: {
        source: `name: acc\nversion: 1\ndescription: ${who}\nrules: [{name: r, expression: "true"}]\n`,
      },
    }),
  },
  {
    method: 'GET',
    path: '/api/v1/teams/{team}/policies/{name}',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/teams/alpha/policies/acc' }),
  },
  {
    method: 'GET',
    path: '/api/v1/teams/{team}/policies/{name}/versions/{n}',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/teams/alpha/policies/acc/versions/1' }),
  },
  {
    method: 'GET',
    path: '/api/v1/teams/{team}/policies/{name}/versions',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/teams/alpha/policies/acc/versions' }),
  },
  {
    method: 'GET',
    path: '/api/v1/teams/{team}/policies',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/teams/alpha/policies' }),
  },
  {
    method: 'GET',
    path: '/api/v1/artifacts/{digest}/evidence',
    allowed: READERS,
    ok: 200,
    req: (c) => ({ path: `/api/v1/artifacts/${c.artifact}/evidence` }),
  },
  {
    method: 'POST',
    path: '/api/v1/policies/evaluate',
    allowed: READERS,
    ok: 200,
    req: (c) => ({
      path: '/api/v1/policies/evaluate',
      body: { artifact: c.artifact, policy: 'builtin' },
    }),
  },
  {
    method: 'GET',
    path: '/api/v1/admission/decisions',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/admission/decisions?namespace=shop' }),
  },
  {
    method: 'GET',
    path: '/api/v1/admission/deployments',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/admission/deployments' }),
  },
  {
    method: 'GET',
    path: '/api/v1/admission/report',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/admission/report?days=7' }),
  },
  {
    method: 'GET',
    path: '/api/v1/admission/reconciliations',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/admission/reconciliations' }),
  },
  {
    // This server runs no admission engine: an admin is let through to the 503 that says so.
    method: 'POST',
    path: '/api/v1/admission/reconcile',
    allowed: ADMIN,
    ok: 503,
    req: () => ({ path: '/api/v1/admission/reconcile' }),
  },
  // --- admission governance (src/server/routes/admission-governance.ts) ---
  {
    method: 'PUT',
    path: '/api/v1/admission/namespaces/{namespace}',
    allowed: ADMIN,
    ok: 201,
    req: (_c, who) => ({
      path: `/api/v1/admission/namespaces/acc-${who}`,
      body: { mode: 'audit', team: 'alpha' },
    }),
  },
  {
    method: 'GET',
    path: '/api/v1/admission/namespaces/{namespace}',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/admission/namespaces/fresh?cluster=prod' }),
  },
  {
    method: 'GET',
    path: '/api/v1/admission/namespaces',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/admission/namespaces' }),
  },
  {
    method: 'POST',
    path: '/api/v1/admission/clusters',
    allowed: ADMIN,
    ok: 201,
    req: (_c, who) => ({ path: '/api/v1/admission/clusters', body: { name: `acc-${who}` } }),
  },
  {
    method: 'GET',
    path: '/api/v1/admission/clusters',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/admission/clusters' }),
  },
  {
    method: 'POST',
    path: '/api/v1/admission/exceptions',
    allowed: WRITERS,
    ok: 201,
    req: () => ({
      path: '/api/v1/admission/exceptions',
      body: {
        namespace: 'acc-governed',
        imagePattern: 'ghcr.io/acme/*',
        ticket: 'ACC-1',
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
    }),
  },
  {
    method: 'POST',
    path: '/api/v1/admission/exceptions/{id}/approvals',
    allowed: ['approver'],
    ok: 200,
    req: (c, who) => ({
      path: `/api/v1/admission/exceptions/${c.admission?.approveException[who]}/approvals`,
    }),
  },
  {
    method: 'DELETE',
    path: '/api/v1/admission/exceptions/{id}',
    allowed: ['admin', 'approver'],
    ok: 200,
    req: (c, who) => ({
      path: `/api/v1/admission/exceptions/${c.admission?.revokeException[who]}`,
    }),
  },
  {
    method: 'GET',
    path: '/api/v1/admission/exceptions',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/admission/exceptions?state=pending' }),
  },
  {
    method: 'POST',
    path: '/api/v1/admission/overrides',
    allowed: ADMIN,
    ok: 201,
    req: () => ({
      path: '/api/v1/admission/overrides',
      body: {
        namespaces: ['acc-governed'],
        mode: 'audit',
        ticket: 'ACC-2',
        expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      },
    }),
  },
  {
    method: 'POST',
    path: '/api/v1/admission/overrides/{id}/approvals',
    allowed: ['approver'],
    ok: 200,
    req: (c, who) => ({
      path: `/api/v1/admission/overrides/${c.admission?.approveOverride[who]}/approvals`,
    }),
  },
  {
    method: 'DELETE',
    path: '/api/v1/admission/overrides/{id}',
    allowed: ['admin', 'approver'],
    ok: 200,
    req: (c, who) => ({ path: `/api/v1/admission/overrides/${c.admission?.revokeOverride[who]}` }),
  },
  {
    method: 'GET',
    path: '/api/v1/admission/overrides',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/admission/overrides' }),
  },
  {
    method: 'GET',
    path: '/api/v1/admission/health-probes',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/admission/health-probes' }),
  },
  {
    method: 'POST',
    path: '/api/v1/admission/health-probes',
    allowed: ADMIN,
    ok: 201,
    req: () => ({
      path: '/api/v1/admission/health-probes',
      body: { upstream: 'registry', healthy: true },
    }),
  },
  // --- KPIs (src/server/routes/kpis.ts) ---
  {
    method: 'GET',
    path: '/api/v1/kpis',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/kpis' }),
  },
  {
    method: 'GET',
    path: '/api/v1/kpis/{id}/history',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/kpis/b1.services-build-l2/history?days=30' }),
  },
  {
    method: 'GET',
    path: '/api/v1/kpis/manual',
    allowed: READERS,
    ok: 200,
    req: () => ({ path: '/api/v1/kpis/manual' }),
  },
  {
    // Hand-entered figures: admins and auditors (app/kpi/manual.ts).
    method: 'POST',
    path: '/api/v1/kpis/manual',
    allowed: AUDIT,
    ok: 201,
    req: () => ({
      path: '/api/v1/kpis/manual',
      body: { kpi: 'b1.release-managers-trained', subject: 'alpha', value: 2 },
    }),
  },
  {
    method: 'POST',
    path: '/api/v1/kpis/snapshot',
    allowed: ADMIN,
    ok: 200,
    req: () => ({ path: '/api/v1/kpis/snapshot' }),
  },
];

/** Routes anyone may call without a token. */
/** Routes anyone may call, as in Rekor: the transparency log's reads, and its appends by default. */
const PUBLIC = [
  { method: 'GET', path: '/healthz', url: '/healthz' },
  { method: 'GET', path: '/api/v1/login/config', url: '/api/v1/login/config' },
  { method: 'GET', path: '/login/oidc', url: '/login/oidc' },
  { method: 'GET', path: '/login/oidc/callback', url: '/login/oidc/callback?code=x&state=y' },
  { method: 'GET', path: '/tlog/checkpoint', url: '/tlog/checkpoint' },
  { method: 'GET', path: '/tlog/tile/*', url: '/tlog/tile/0/000.p/1' },
  { method: 'GET', path: '/api/v1/tlog', url: '/api/v1/tlog' },
  { method: 'GET', path: '/api/v1/trusted-root', url: '/api/v1/trusted-root' },
  { method: 'GET', path: '/api/v1/vex-signing-key', url: '/api/v1/vex-signing-key' },
  { method: 'POST', path: '/api/v1/tlog/entries', url: '/api/v1/tlog/entries' },
  {
    method: 'GET',
    path: '/api/v1/tlog/entries',
    url: '/api/v1/tlog/entries?leafHash=' + '0'.repeat(64),
  },
  { method: 'GET', path: '/api/v1/tlog/entries/{index}', url: '/api/v1/tlog/entries/0' },
  {
    method: 'GET',
    path: '/api/v1/tlog/proof/inclusion',
    url: '/api/v1/tlog/proof/inclusion?index=0',
  },
  {
    method: 'GET',
    path: '/api/v1/tlog/proof/consistency',
    url: '/api/v1/tlog/proof/consistency?from=1',
  },
  { method: 'GET', path: '/api/v1/tlog/checkpoints', url: '/api/v1/tlog/checkpoints' },
  { method: 'GET', path: '/api/v1/log', url: '/api/v1/log' },
  { method: 'GET', path: '/api/v1/log/publicKey', url: '/api/v1/log/publicKey' },
  { method: 'POST', path: '/api/v1/log/entries', url: '/api/v1/log/entries' },
  { method: 'GET', path: '/api/v1/log/entries', url: '/api/v1/log/entries?logIndex=0' },
  {
    method: 'GET',
    path: '/api/v1/log/entries/{uuid}',
    url: `/api/v1/log/entries/${'0'.repeat(64)}`,
  },
  { method: 'POST', path: '/api/v1/log/entries/retrieve', url: '/api/v1/log/entries/retrieve' },
  { method: 'GET', path: '/api/v1/log/proof', url: '/api/v1/log/proof?lastSize=1' },
];

const CALLERS = [...ROLES, 'missing', 'invalid', 'malformed'] as const;

for (const backend of BACKENDS) {
  describe(`HTTP access control (${backend})`, () => {
    let srv: TestServer;
    let ctx: Ctx;
    const tokens = {} as Record<Role, string>;
    // A CA the server trusts for keyless VEX publications, without serving its routes.
    const caDir = mkdtempSync(join(tmpdir(), 'custody-access-ca-'));
    let ca: Keyless;

    before(async () => {
      ca = (await openKeyless({
        dataDir: caDir,
        publicUrl: 'https://ca.access.test',
        devOidc: true,
        issuers: [],
      })) as Keyless;
      srv = await startServer(backend, { trustedRoot: ca.trustedRoot });
      const s = srv.services;
      for (const r of ROLES) tokens[r] = await tokenFor(s, r);
      const spareTokens: Record<string, number> = {};
      for (const who of CALLERS) {
        spareTokens[who] = (
          await createToken(s, CLI_CALLER, { role: 'viewer', name: `spare-${who}` })
        ).id;
      }
      const fixtures = await sbomFixtures();
      await tokenFor(s, 'viewer', ['alpha', 'gated']); // creates both teams
      const one = await push(srv, tokens.admin, fixtures.demo, {
        product: 'seed',
        release: '1.0.0',
        team: 'alpha',
      });
      assert.equal(one.status, 201, one.text);
      const two = await push(srv, tokens.admin, fixtures.demo11, {
        product: 'seed',
        release: '1.1.0',
      });
      assert.equal(two.status, 201, two.text);
      const key = loadSigningKey(generateKey('ecdsa-p256').privatePem);
      const set = await call(srv, 'PUT', '/api/v1/teams/alpha/signing-identities', {
        token: tokens.admin,
        body: {
          identities: [
            { publicKey: key.publicPem },
            { issuer: 'https://ca.access.test/dev-oidc', subject: 'releaser@example\\.com' },
          ],
        },
      });
      assert.equal(set.status, 200, set.text);
      const seeded = await call(srv, 'POST', '/api/v1/advisories', {
        token: tokens.admin,
        body: osvRecord('x_CUSTODY-ACCESS-SEED'),
        contentType: 'application/json',
      });
      assert.equal(seeded.status, 201, seeded.text);
      const { buildMessageSignatureBundle, buildAttestationBundle } = await loadBundleBuilder();
      const bundles: Record<string, string> = {};
      for (const who of WRITERS) {
        bundles[who] = JSON.stringify(
          await buildMessageSignatureBundle(Buffer.from(fixtures.demo), key),
        );
      }
      const seedArtifact = (
        await call(srv, 'GET', '/api/v1/products/seed/releases/1.0.0', { token: tokens.admin })
      ).json.artifacts[0].digest as string;
      const provenance = async (digest: string, who: string) =>
        JSON.stringify(
          await buildAttestationBundle(
            buildStatement({
              subjects: [{ name: 'app', digest: { sha256: digest.slice('sha256:'.length) } }],
              predicateType: 'slsaprovenance1',
              predicate: {
                buildDefinition: {
                  buildType: 'https://ci.example/make/v1',
                  externalParameters: { who },
                },
                runDetails: { builder: { id: 'https://ci.example/jenkins' } },
              },
            }),
            key,
          ),
        );
      const attestations: Record<string, string> = {};
      const intakes: Record<string, unknown> = {};
      for (const who of WRITERS) {
        attestations[who] = await provenance(seedArtifact, who);
        const vendorArtifact = `sha256:${createHash('sha256').update(`vendor-${who}`).digest('hex')}`;
        intakes[who] = {
          product: `vendor-${who}`,
          release: '1.0.0',
          team: 'alpha',
          artifact: vendorArtifact,
          sbom: fixtures.demo,
          provenance: await provenance(vendorArtifact, who),
        };
      }
      const draftVex = async (token: string, body: Record<string, unknown>) => {
        const d = await call(srv, 'POST', '/api/v1/vex/seed/statements', {
          token,
          body: { components: ['pkg:npm/lodash@4.17.20'], ...body },
        });
        assert.equal(d.status, 201, d.text);
        return d.json.id as number;
      };
      const vex: Ctx['vex'] = {
        drafts: {},
        fixable: {},
        pending: 0,
        confidential: 0,
        publications: {},
      };
      for (const who of CALLERS) {
        vex.drafts[who] = await draftVex(tokens.admin, { vulnerability: `CVE-2031-${who}` });
        // seed 1.1.0's SBOM (demo-app 1.1) holds lodash 4.17.21.
        vex.fixable[who] = await draftVex(tokens.admin, {
          vulnerability: `CVE-2032-${who}`,
          releases: ['1.1.0'],
        });
      }
      vex.pending = await draftVex(tokens.admin, { vulnerability: 'CVE-2033-0001' });
      const judged = await call(srv, 'POST', `/api/v1/vex-statements/${vex.pending}/transition`, {
        token: tokens.admin,
        body: { status: 'not_affected', justification: 'component_not_present' },
      });
      assert.equal(judged.status, 200, judged.text);
      vex.confidential = await draftVex(tokens.approver, {
        vulnerability: 'CVE-2034-0001',
        confidential: true,
      });
      const published = await call(srv, 'POST', '/api/v1/vex/seed/publish?format=openvex', {
        token: tokens.admin,
      });
      assert.equal(published.status, 201, published.text);
      const sealed = await push(srv, tokens.admin, fixtures.demo, {
        product: 'sealed',
        release: '1.0.0',
        team: 'alpha',
      });
      assert.equal(sealed.status, 201, sealed.text);
      const statement = await call(srv, 'POST', '/api/v1/vex/sealed/statements', {
        token: tokens.admin,
        body: { vulnerability: 'CVE-2035-0001', components: ['pkg:npm/lodash@4.17.20'] },
      });
      assert.equal(statement.status, 201, statement.text);
      // One format each: completing one moves no other's document version.
      const formats = { admin: 'openvex', publisher: 'cyclonedx', approver: 'csaf' } as const;
      for (const [who, format] of Object.entries(formats)) {
        const p = await call(srv, 'POST', '/api/v1/vex/sealed/publications', {
          token: tokens[who as Role],
          body: { format, signing: 'keyless' },
        });
        assert.equal(p.status, 201, p.text);
        const bundle = await keylessBundle(ca, {
          subject: 'releaser@example.com',
          bytes: new Uint8Array(Buffer.from(p.json.document, 'utf8')),
          logUrl: srv.base,
        });
        vex.publications[who] = { id: p.json.id, bundle: JSON.stringify(bundle) };
      }
      ctx = {
        fixtures,
        release1: one.json.sbom.releaseId,
        release2: two.json.sbom.releaseId,
        sbom: one.json.sbom.id,
        artifact: one.json.sbom.artifact,
        spareTokens,
        bundles,
        attestations,
        intakes,
        vex,
      };
      ctx.admission = await admissionObjects(srv, tokens.admin);
      ctx.loginGrants = {};
      for (const who of CALLERS) {
        const g = await call(srv, 'POST', '/api/v1/login-grants', {
          token: tokens.admin,
          body: {
            issuer: 'https://idp.access.test',
            subject: `spare-${who}`,
            person: 'pat',
            role: 'viewer',
          },
        });
        assert.equal(g.status, 201, g.text);
        ctx.loginGrants[who] = g.json.id;
      }
    });
    after(async () => {
      await srv.close();
      rmSync(caDir, { recursive: true, force: true });
    });

    for (const route of ROUTES) {
      it(`${route.method} ${route.path}: allowed for ${route.allowed.join(', ')}; refused otherwise`, async () => {
        for (const who of CALLERS) {
          const r = route.req(ctx, who);
          const headers: Record<string, string> = {};
          let token: string | undefined;
          if (who === 'invalid') token = 'cust_not-a-token-this-service-issued';
          else if (who === 'malformed')
            headers['authorization'] = `Basic ${Buffer.from('a:b').toString('base64')}`;
          else if (who !== 'missing') token = tokens[who];
          const before = await snapshot(srv.services);
          const a = await call(srv, route.method, r.path, {
            ...(token !== undefined ? { token } : {}),
            ...(r.body !== undefined ? { body: r.body } : {}),
            ...(r.contentType !== undefined ? { contentType: r.contentType } : {}),
            headers,
          });
          const what = `${route.method} ${r.path} as ${who}: ${a.status} ${a.text.slice(0, 300)}`;
          if (who === 'missing' || who === 'malformed') {
            assert.equal(a.status, 401, what);
            assert.equal(errorCode(a), 'AUTH_TOKEN_MISSING', what);
          } else if (who === 'invalid') {
            assert.equal(a.status, 401, what);
            assert.equal(errorCode(a), 'AUTH_TOKEN_INVALID', what);
          } else if (route.allowed.includes(who)) {
            assert.equal(a.status, route.ok, what);
            continue;
          } else {
            assert.equal(a.status, 403, what);
            assert.equal(errorCode(a), 'AUTH_FORBIDDEN', what);
          }
          // A refused request writes nothing, not even an audit entry.
          assert.deepEqual(await snapshot(srv.services), before, what);
        }
      });
    }

    it('the route table covers every operation in /openapi.json, and nothing else', async () => {
      const a = await call(srv, 'GET', '/openapi.json', { token: tokens.viewer });
      assert.equal(a.status, 200);
      const documented = new Set<string>();
      for (const [path, ops] of Object.entries(a.json.paths as Record<string, object>)) {
        for (const m of Object.keys(ops)) documented.add(`${m.toUpperCase()} ${path}`);
      }
      const tested = new Set([...ROUTES, ...PUBLIC].map((r) => `${r.method} ${r.path}`));
      assert.deepEqual(
        [...documented].filter((x) => !tested.has(x)).sort(),
        [],
        'routes without an access test: add them to ROUTES',
      );
      assert.deepEqual([...tested].filter((x) => !documented.has(x)).sort(), []);
    });

    it('the public routes answer without a token, and never with 401 or 403', async () => {
      for (const r of PUBLIC) {
        const a = await call(srv, r.method, r.url, r.method === 'POST' ? { body: {} } : {});
        assert.ok(a.status !== 401 && a.status !== 403, `${r.method} ${r.url}: ${a.status}`);
        assert.ok(a.status < 500, `${r.method} ${r.url}: ${a.status} ${a.text}`);
      }
    });

    it('/healthz answers without a token', async () => {
      const a = await call(srv, 'GET', '/healthz');
      assert.equal(a.status, 200);
      assert.equal(a.json.status, 'ok');
      assert.equal(a.json.database, backend);
    });

    it('/metrics refuses a team-scoped token even with inventory:read', async () => {
      const t = await tokenFor(srv.services, 'admin', ['alpha']);
      const a = await call(srv, 'GET', '/metrics', { token: t });
      assert.equal(a.status, 403);
      assert.equal(errorCode(a), 'AUTH_FORBIDDEN');
      const ok = await call(srv, 'GET', '/metrics', { token: tokens.viewer });
      assert.match(ok.headers.get('content-type') ?? '', /^text\/plain/);
      assert.match(ok.text, /custody_/);
    });

    it('whoami reports the role and the teams', async () => {
      const t = await tokenFor(srv.services, 'publisher', ['alpha']);
      const a = await call(srv, 'GET', '/api/v1/whoami', { token: t });
      assert.equal(a.json.role, 'publisher');
      assert.deepEqual(a.json.teams, ['alpha']);
      const o = await call(srv, 'GET', '/api/v1/whoami', { token: tokens.auditor });
      assert.equal(o.json.role, 'auditor');
      assert.equal(o.json.teams, null);
    });

    it('a revoked token is refused at once (DELETE clears the cache)', async () => {
      const created = await call(srv, 'POST', '/api/v1/tokens', {
        token: tokens.admin,
        body: { role: 'viewer', person: 'pat', name: 'short-lived' },
      });
      assert.equal(created.status, 201);
      const t = created.json.token as string;
      assert.match(t, /^cust_[A-Za-z0-9_-]{43}$/);
      assert.equal((await call(srv, 'GET', '/api/v1/whoami', { token: t })).status, 200);
      const del = await call(srv, 'DELETE', `/api/v1/tokens/${created.json.id}`, {
        token: tokens.admin,
      });
      assert.equal(del.status, 204);
      const a = await call(srv, 'GET', '/api/v1/whoami', { token: t });
      assert.equal(a.status, 401);
      assert.equal(errorCode(a), 'AUTH_TOKEN_INVALID');
      const again = await call(srv, 'DELETE', `/api/v1/tokens/${created.json.id}`, {
        token: tokens.admin,
      });
      assert.equal(again.status, 404);
      assert.equal(errorCode(again), 'INVENTORY_NOT_FOUND');
    });

    it('token listings never contain secrets', async () => {
      const a = await call(srv, 'GET', '/api/v1/tokens', { token: tokens.admin });
      assert.equal(a.status, 200);
      assert.ok(a.json.items.length >= ROLES.length);
      assert.doesNotMatch(a.text, /cust_/);
      assert.doesNotMatch(a.text, /secret/i);
    });
  });
}

describe('HTTP access control: expired tokens', () => {
  for (const backend of BACKENDS) {
    it(`an expired token is AUTH_TOKEN_INVALID (${backend})`, async () => {
      let now = Date.parse('2025-01-01T00:00:00Z');
      const srv = await startServer(backend, { clock: () => new Date(now) });
      try {
        const t = (
          await createToken(srv.services, CLI_CALLER, { role: 'viewer', expiresInDays: 1 })
        ).token;
        assert.equal((await call(srv, 'GET', '/api/v1/whoami', { token: t })).status, 200);
        now += 2 * 86_400_000;
        const a = await call(srv, 'GET', '/api/v1/whoami', { token: t });
        assert.equal(a.status, 401);
        assert.equal(errorCode(a), 'AUTH_TOKEN_INVALID');
      } finally {
        await srv.close();
      }
    });
  }
});

/**
 * Admission governance objects for the routes that act on one: a namespace of team alpha, and per
 * caller an exception and an override (asked by the admin person) to approve and to revoke.
 */
async function admissionObjects(
  srv: TestServer,
  admin: string,
): Promise<NonNullable<Ctx['admission']>> {
  const ns = await call(srv, 'PUT', '/api/v1/admission/namespaces/acc-governed', {
    token: admin,
    body: { mode: 'enforce', team: 'alpha' },
  });
  assert.equal(ns.status, 201, ns.text);
  const out: NonNullable<Ctx['admission']> = {
    approveException: {},
    revokeException: {},
    approveOverride: {},
    revokeOverride: {},
  };
  for (const who of CALLERS) {
    for (const map of [out.approveException, out.revokeException]) {
      const e = await call(srv, 'POST', '/api/v1/admission/exceptions', {
        token: admin,
        body: {
          namespace: 'acc-governed',
          imagePattern: `ghcr.io/acme/${who}`,
          ticket: 'ACC-0',
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        },
      });
      assert.equal(e.status, 201, e.text);
      map[who] = e.json.id;
    }
    for (const map of [out.approveOverride, out.revokeOverride]) {
      const o = await call(srv, 'POST', '/api/v1/admission/overrides', {
        token: admin,
        body: {
          namespaces: ['acc-governed'],
          mode: 'warn',
          ticket: 'ACC-0',
          expiresAt: new Date(Date.now() + 3600_000).toISOString(),
        },
      });
      assert.equal(o.status, 201, o.text);
      map[who] = o.json.override.id;
    }
  }
  return out;
}
