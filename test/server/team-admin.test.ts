import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bootstrapAdminToken, CLI_CALLER, revokeToken } from '../../src/app/tokens.js';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { REPO_ROOT } from '../helpers/conformance.js';
import {
  type Answer,
  BACKENDS,
  call,
  errorCode,
  snapshot,
  startServer,
  type TestServer,
  tokenFor,
} from '../helpers/server.js';

/**
 * Issue 11, Security 1: a team-scoped admin stays within its teams on every admin route. It grants
 * only what it holds (tokens of its teams, roles within its own, never organisation-wide), sets
 * only its teams' gates, lists and revokes only its teams' tokens, reads only its teams' audit
 * trail, and creates no team (an organisation-wide admin's job). A refused request changes nothing.
 */

interface Ids {
  bootstrap: number;
  orgAdmin: number;
  teamAdmin: number;
  viewerA: number;
  spareA: number;
  viewerB: number;
  viewerAB: number;
}

interface Case {
  what: string;
  path: (ids: Ids) => string;
  body?: unknown;
  contentType?: string;
  status: number;
  /** The error code of a refusal. */
  code?: string;
  /** More checks on an allowed answer. */
  check?: (a: Answer, ids: Ids) => void | Promise<void>;
}

interface Route {
  method: string;
  /** As the OpenAPI document spells it. */
  path: string;
  cases: Case[];
}

const YAML = 'application/yaml';
const ids = (a: Answer) =>
  (a.json.items as { id: number }[]).map((t) => t.id).sort((x, y) => x - y);

/** Every admin route, as a team-a admin calls it: what it may do, and what it may not. */
const ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/api/v1/audit/verify',
    cases: [
      {
        what: 'the whole chain’s report (rows named by id only)',
        path: () => '/api/v1/audit/verify',
        status: 200,
        check: (a) => assert.equal(a.json.ok, true, a.text),
      },
    ],
  },
  {
    method: 'GET',
    path: '/api/v1/audit/chain',
    cases: [
      {
        what: 'its teams’ rows in full, others as links only',
        path: () => '/api/v1/audit/chain',
        status: 200,
        check: (a) => {
          for (const r of a.json.items as { team?: string | null; redacted?: boolean }[])
            assert.ok(r.redacted === true || r.team === 'a', JSON.stringify(r));
        },
      },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/audit/anchor',
    cases: [
      { what: 'anchoring is organisation-wide', path: () => '/api/v1/audit/anchor', status: 403 },
    ],
  },
  {
    method: 'GET',
    path: '/api/v1/teams',
    cases: [
      {
        what: 'lists its own team only',
        path: () => '/api/v1/teams',
        status: 200,
        check: (a) =>
          assert.deepEqual(
            (a.json.items as { name: string }[]).map((t) => t.name),
            ['a'],
          ),
      },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/teams',
    cases: [
      { what: 'a new team', path: () => '/api/v1/teams', body: { name: 'c' }, status: 403 },
      { what: 'another team', path: () => '/api/v1/teams', body: { name: 'b' }, status: 403 },
      { what: 'its own team', path: () => '/api/v1/teams', body: { name: 'a' }, status: 403 },
    ],
  },
  {
    method: 'PUT',
    path: '/api/v1/teams/{name}/gate-policy',
    cases: [
      {
        what: "team b's gate",
        path: () => '/api/v1/teams/b/gate-policy',
        body: '{}',
        contentType: YAML,
        status: 403,
      },
      {
        // Refused before the team is looked up: the answer says nothing about other teams.
        what: "a team that does not exist's gate",
        path: () => '/api/v1/teams/nope/gate-policy',
        body: '{}',
        contentType: YAML,
        status: 403,
      },
      {
        what: "team b's gate, with a bad policy (refused for the team first)",
        path: () => '/api/v1/teams/b/gate-policy',
        body: 'minScore: lots\n',
        contentType: YAML,
        status: 403,
      },
      {
        what: 'its own gate',
        path: () => '/api/v1/teams/a/gate-policy',
        body: 'require: [ntia.version]\n',
        contentType: YAML,
        status: 200,
        check: (a) => assert.equal(a.json.name, 'a'),
      },
    ],
  },
  {
    method: 'PUT',
    path: '/api/v1/teams/{name}/signing-identities',
    cases: [
      {
        what: "its own team's signing identities",
        path: () => '/api/v1/teams/a/signing-identities',
        body: { identities: [{ issuer: 'https://issuer.example', subject: '.*' }] },
        status: 403,
      },
      {
        what: "team b's signing identities",
        path: () => '/api/v1/teams/b/signing-identities',
        body: { identities: [] },
        status: 403,
      },
    ],
  },
  {
    method: 'GET',
    path: '/api/v1/tokens',
    cases: [
      {
        what: 'lists only tokens limited to its teams',
        path: () => '/api/v1/tokens',
        status: 200,
        check: (a, i) => {
          const listed = ids(a);
          for (const id of [i.teamAdmin, i.viewerA, i.spareA])
            assert.ok(listed.includes(id), `${id}`);
          for (const id of [i.bootstrap, i.orgAdmin, i.viewerB, i.viewerAB]) {
            assert.ok(!listed.includes(id), `token ${id} is not team a's: ${a.text}`);
          }
          for (const t of a.json.items as { teams: string[] | null }[]) {
            assert.deepEqual(t.teams, ['a']);
          }
        },
      },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/tokens',
    cases: [
      {
        // The probe of issue 11, exactly.
        what: 'an organisation-wide admin token',
        path: () => '/api/v1/tokens',
        body: { role: 'admin', person: 'y' },
        status: 403,
      },
      {
        what: 'an organisation-wide viewer token',
        path: () => '/api/v1/tokens',
        body: { role: 'viewer', person: 'y', teams: [] },
        status: 403,
      },
      {
        what: 'a token of team b',
        path: () => '/api/v1/tokens',
        body: { role: 'viewer', person: 'y', teams: ['b'] },
        status: 403,
      },
      {
        what: 'a token of teams a and b',
        path: () => '/api/v1/tokens',
        body: { role: 'admin', person: 'y', teams: ['a', 'b'] },
        status: 403,
      },
      {
        what: 'a token of a new team',
        path: () => '/api/v1/tokens',
        body: { role: 'publisher', person: 'y', teams: ['fresh'] },
        status: 403,
      },
      {
        what: 'an approver token (decision:write is more than an admin holds)',
        path: () => '/api/v1/tokens',
        body: { role: 'approver', person: 'y', teams: ['a'] },
        status: 403,
      },
      {
        what: 'an admin token of its own team',
        path: () => '/api/v1/tokens',
        body: { role: 'admin', person: 'y', teams: ['a'] },
        status: 201,
        check: async (a) => {
          assert.deepEqual(a.json.teams, ['a']);
          assert.equal(a.json.person, 'y');
        },
      },
      {
        what: 'a publisher token of its own team',
        path: () => '/api/v1/tokens',
        body: { role: 'publisher', person: 'z', teams: ['a'] },
        status: 201,
      },
    ],
  },
  {
    method: 'DELETE',
    path: '/api/v1/tokens/{id}',
    cases: [
      { what: 'the bootstrap admin', path: (i) => `/api/v1/tokens/${i.bootstrap}`, status: 403 },
      { what: 'an org-wide admin', path: (i) => `/api/v1/tokens/${i.orgAdmin}`, status: 403 },
      { what: "team b's viewer", path: (i) => `/api/v1/tokens/${i.viewerB}`, status: 403 },
      { what: 'a viewer of a and b', path: (i) => `/api/v1/tokens/${i.viewerAB}`, status: 403 },
      { what: 'no such token', path: () => '/api/v1/tokens/99999', status: 404 },
      { what: "its own team's token", path: (i) => `/api/v1/tokens/${i.spareA}`, status: 204 },
    ],
  },
  {
    method: 'GET',
    path: '/api/v1/audit',
    cases: [
      {
        what: "reads its own team's entries only",
        path: () => '/api/v1/audit',
        status: 200,
        check: (a) => {
          const items = a.json.items as { team: string | null; action: string }[];
          assert.ok(
            items.some((e) => e.action === 'team.gate-policy'),
            a.text,
          );
          for (const e of items) assert.equal(e.team, 'a', JSON.stringify(e));
        },
      },
    ],
  },
];

const STATUS_CODE: Record<number, string> = {
  403: 'AUTH_FORBIDDEN',
  404: 'INVENTORY_NOT_FOUND',
};

/** Run the CLI in-process on the server's own store, as an operator on that machine would. */
async function cli(srv: TestServer, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: srv.services.databaseUrl ? { CUSTODY_DATABASE_URL: srv.services.databaseUrl } : {},
    cwd: REPO_ROOT,
  };
  const code = await run([...argv, '--data-dir', srv.services.dataDir], io);
  assert.equal(code, 0, stderr);
  return stdout;
}

/** Everything an admin route writes: row counts, gates, identities, revocations. */
async function state(srv: TestServer) {
  const k = srv.services.db.kysely;
  return {
    rows: await snapshot(srv.services),
    teams: await k
      .selectFrom('teams')
      .select(['name', 'gate_policy', 'signing_identities'])
      .orderBy('name')
      .execute(),
    tokens: await k.selectFrom('tokens').select(['id', 'revoked_at']).orderBy('id').execute(),
  };
}

for (const backend of BACKENDS) {
  describe(`a team-scoped admin stays in its teams (${backend})`, () => {
    let srv: TestServer;
    let i: Ids;
    let teamAdmin: string;
    let bootstrap: string;

    before(async () => {
      srv = await startServer(backend);
      const s = srv.services;
      const boot = await bootstrapAdminToken(s);
      assert.ok(boot);
      bootstrap = boot.token;
      // `custody token create --role admin --team a --person x`, on the service's own store.
      const created = JSON.parse(
        await cli(srv, [
          'token',
          'create',
          '--role',
          'admin',
          '--team',
          'a',
          '--person',
          'x',
          '--json',
        ]),
      ) as { id: number; token: string };
      teamAdmin = created.token;
      const idOf = async (role: 'admin' | 'viewer', teams?: string[]) =>
        JSON.parse(
          await cli(srv, [
            'token',
            'create',
            '--role',
            role,
            '--person',
            `p-${role}`,
            ...(teams ? ['--team', ...teams] : []),
            '--json',
          ]),
        ).id as number;
      i = {
        bootstrap: boot.id,
        orgAdmin: await idOf('admin'),
        teamAdmin: created.id,
        viewerA: await idOf('viewer', ['a']),
        spareA: await idOf('viewer', ['a']),
        viewerB: await idOf('viewer', ['b']),
        viewerAB: await idOf('viewer', ['a', 'b']),
      };
      // Team b has a gate and an audit trail of its own that team a's admin must not touch or see.
      const gate = await call(srv, 'PUT', '/api/v1/teams/b/gate-policy', {
        token: bootstrap,
        body: 'minScore: 10\n',
        contentType: YAML,
      });
      assert.equal(gate.status, 200, gate.text);
    });
    after(() => srv.close());

    for (const route of ROUTES) {
      it(`${route.method} ${route.path}: ${route.cases.map((c) => `${c.what} → ${c.status}`).join('; ')}`, async () => {
        for (const c of route.cases) {
          const before = await state(srv);
          const a = await call(srv, route.method, c.path(i), {
            token: teamAdmin,
            ...(c.body !== undefined ? { body: c.body } : {}),
            ...(c.contentType !== undefined ? { contentType: c.contentType } : {}),
          });
          const what = `${route.method} ${c.path(i)} (${c.what}): ${a.status} ${a.text.slice(0, 300)}`;
          assert.equal(a.status, c.status, what);
          if (c.status >= 400) {
            assert.equal(errorCode(a), c.code ?? STATUS_CODE[c.status], what);
            assert.deepEqual(await state(srv), before, `a refusal wrote something: ${what}`);
          } else {
            await c.check?.(a, i);
          }
        }
      });
    }

    it('the table covers every admin route of /openapi.json', async () => {
      const a = await call(srv, 'GET', '/openapi.json', { token: bootstrap });
      const admin: string[] = [];
      for (const [path, ops] of Object.entries(a.json.paths as Record<string, object>)) {
        for (const [m, op] of Object.entries(ops as Record<string, { tags?: string[] }>)) {
          if (op.tags?.includes('admin')) admin.push(`${m.toUpperCase()} ${path}`);
        }
      }
      assert.deepEqual(admin.sort(), ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    });

    it('afterwards the organisation is as it was: the bootstrap admin works, team b keeps its gate', async () => {
      assert.equal((await call(srv, 'GET', '/api/v1/whoami', { token: bootstrap })).status, 200);
      const teams = await call(srv, 'GET', '/api/v1/teams', { token: bootstrap });
      const b = (teams.json.items as { name: string; gatePolicy: unknown }[]).find(
        (t) => t.name === 'b',
      );
      assert.equal((b?.gatePolicy as { minScore?: number } | undefined)?.minScore, 10);
      // The tokens it did create are team a's and no wider.
      const all = await call(srv, 'GET', '/api/v1/tokens', { token: bootstrap });
      const made = (all.json.items as { createdBy: string; teams: string[] | null }[]).filter((t) =>
        t.createdBy.startsWith(`token:${i.teamAdmin}:`),
      );
      assert.equal(made.length, 2);
      for (const t of made) assert.deepEqual(t.teams, ['a']);
    });

    it("admin writes re-read the caller's token: one revoked elsewhere is refused at once", async () => {
      const t = await tokenFor(srv.services, 'admin', ['a'], 'revoked-admin');
      assert.equal((await call(srv, 'GET', '/api/v1/whoami', { token: t })).status, 200);
      // Revoked on the store directly (as another replica would), so this server's cache still
      // holds the principal for a few seconds.
      const listed = await call(srv, 'GET', '/api/v1/tokens', { token: bootstrap });
      const id = (listed.json.items as { id: number; person: string }[]).find(
        (x) => x.person === 'revoked-admin',
      )?.id as number;
      await revokeToken(srv.services, CLI_CALLER, id);
      assert.equal((await call(srv, 'GET', '/api/v1/whoami', { token: t })).status, 200);
      const before = await state(srv);
      const a = await call(srv, 'POST', '/api/v1/tokens', {
        token: t,
        body: { role: 'viewer', person: 'q', teams: ['a'] },
      });
      assert.equal(a.status, 401, a.text);
      assert.equal(errorCode(a), 'AUTH_TOKEN_INVALID');
      const g = await call(srv, 'PUT', '/api/v1/teams/a/gate-policy', {
        token: t,
        body: '{}',
        contentType: YAML,
      });
      assert.equal(g.status, 401, g.text);
      assert.deepEqual(await state(srv), before);
    });
  });
}
