import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { REPO_ROOT } from '../helpers/conformance.js';
import {
  BACKENDS,
  call,
  errorCode,
  snapshot,
  startServer,
  type TestServer,
  tokenFor,
} from '../helpers/server.js';

const ISSUER = 'https://accounts.example.com';

for (const backend of BACKENDS) {
  describe(`login grants API: a caller grants only what it holds (${backend})`, () => {
    let srv: TestServer;
    const t: Record<string, string> = {};

    before(async () => {
      srv = await startServer(backend);
      const s = srv.services;
      t['admin'] = await tokenFor(s, 'admin');
      t['publisher'] = await tokenFor(s, 'publisher');
      t['alphaAdmin'] = await tokenFor(s, 'admin', ['alpha'], 'alpha-admin');
      await tokenFor(s, 'viewer', ['beta']); // creates team beta
    });
    after(() => srv.close());

    const grant = (token: string, body: Record<string, unknown>) =>
      call(srv, 'POST', '/api/v1/login-grants', {
        token,
        body: { issuer: ISSUER, person: 'Pat', role: 'viewer', ...body },
      });

    it('an organisation-wide admin grants any role; the grant is audited', async () => {
      const a = await grant(t['admin'] as string, { subject: 'sub-1', role: 'approver' });
      assert.equal(a.status, 201, a.text);
      assert.equal(a.json.role, 'approver');
      assert.equal(a.json.teams, null);
      assert.equal(a.json.subject, 'sub-1');
      const trail = await call(srv, 'GET', '/api/v1/audit?action=login-grant.create', {
        token: t['admin'] as string,
      });
      assert.equal(trail.json.items[0].target, `login-grant:${a.json.id}`);
    });

    it('refuses callers without admin, and team admins beyond their teams or roles; writes nothing', async () => {
      const cases: Array<[string, Record<string, unknown>, string]> = [
        ['publisher', { subject: 'sub-2' }, 'AUTH_FORBIDDEN'],
        ['alphaAdmin', { subject: 'sub-3' }, 'AUTH_FORBIDDEN'], // organisation-wide
        ['alphaAdmin', { subject: 'sub-4', teams: ['beta'] }, 'AUTH_FORBIDDEN'],
        ['alphaAdmin', { subject: 'sub-5', teams: ['alpha'], role: 'approver' }, 'AUTH_FORBIDDEN'],
      ];
      for (const [who, body, code] of cases) {
        const before = await snapshot(srv.services);
        const a = await grant(t[who] as string, body);
        assert.equal(a.status, 403, `${who} ${JSON.stringify(body)}: ${a.text}`);
        assert.equal(errorCode(a), code);
        assert.deepEqual(await snapshot(srv.services), before);
      }
      const ok = await grant(t['alphaAdmin'] as string, {
        subject: 'sub-6',
        teams: ['alpha'],
        role: 'publisher',
      });
      assert.equal(ok.status, 201, ok.text);
    });

    it('refuses malformed and duplicate grants with their codes', async () => {
      const both = await grant(t['admin'] as string, { subject: 's', email: 'a@b.c' });
      assert.equal(both.status, 400);
      assert.equal(errorCode(both), 'LOGIN_GRANT_INVALID');
      const neither = await grant(t['admin'] as string, {});
      assert.equal(errorCode(neither), 'LOGIN_GRANT_INVALID');
      const badIssuer = await grant(t['admin'] as string, { issuer: 'accounts', subject: 's' });
      assert.equal(errorCode(badIssuer), 'LOGIN_GRANT_INVALID');
      await grant(t['admin'] as string, { email: 'dup@example.com' });
      const dup = await grant(t['admin'] as string, { email: 'DUP@example.com' });
      assert.equal(dup.status, 409);
      assert.equal(errorCode(dup), 'LOGIN_GRANT_CONFLICT');
    });

    it('a team admin lists and revokes only its teams’ grants', async () => {
      const list = await call(srv, 'GET', '/api/v1/login-grants', {
        token: t['alphaAdmin'] as string,
      });
      assert.equal(list.status, 200);
      assert.ok(list.json.items.length > 0);
      for (const g of list.json.items) assert.deepEqual(g.teams, ['alpha']);
      const all = await call(srv, 'GET', '/api/v1/login-grants', { token: t['admin'] as string });
      const orgWide = all.json.items.find((g: { teams: unknown }) => g.teams === null);
      const refused = await call(srv, 'DELETE', `/api/v1/login-grants/${orgWide.id}`, {
        token: t['alphaAdmin'] as string,
      });
      assert.equal(refused.status, 403);
      assert.equal(errorCode(refused), 'AUTH_FORBIDDEN');
      const own = list.json.items[0];
      const del = await call(srv, 'DELETE', `/api/v1/login-grants/${own.id}`, {
        token: t['alphaAdmin'] as string,
      });
      assert.equal(del.status, 204);
      const again = await call(srv, 'DELETE', `/api/v1/login-grants/${own.id}`, {
        token: t['alphaAdmin'] as string,
      });
      assert.equal(again.status, 404);
      assert.equal(errorCode(again), 'LOGIN_GRANT_NOT_FOUND');
    });

    it('without a configured provider, the OIDC endpoints say so', async () => {
      const config = await call(srv, 'GET', '/api/v1/login/config');
      assert.deepEqual(config.json, { oidc: null });
      const start = await call(srv, 'GET', '/login/oidc');
      assert.equal(start.status, 404);
      assert.equal(errorCode(start), 'LOGIN_NOT_CONFIGURED');
    });
  });
}

describe('custody login-grant (CLI, on the data directory)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'custody-login-grant-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function cli(argv: string[]) {
    let stdout = '';
    let stderr = '';
    const io: CliIO = {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: {},
      cwd: REPO_ROOT,
    };
    return { code: await run([...argv, '--data-dir', dir], io), stdout, stderr };
  }

  it('adds, lists and revokes grants; refuses bad input with exit 2', async () => {
    const add = await cli([
      'login-grant',
      'add',
      '--issuer',
      ISSUER,
      '--email',
      'pat@example.com',
      '--person',
      'Pat',
      '--role',
      'auditor',
      '--team',
      'alpha',
      '--json',
    ]);
    assert.equal(add.code, 0, add.stderr);
    const g = JSON.parse(add.stdout);
    assert.equal(g.email, 'pat@example.com');
    assert.deepEqual(g.teams, ['alpha']);
    const list = await cli(['login-grant', 'list']);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /auditor\s+alpha\s+active\s+pat@example\.com/);
    const revoke = await cli(['login-grant', 'revoke', String(g.id)]);
    assert.equal(revoke.code, 0, revoke.stderr);
    assert.match((await cli(['login-grant', 'list'])).stdout, /revoked/);
    const bad = await cli([
      'login-grant',
      'add',
      '--issuer',
      ISSUER,
      '--person',
      'P',
      '--role',
      'viewer',
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /LOGIN_GRANT_INVALID/);
    const gone = await cli(['login-grant', 'revoke', String(g.id)]);
    assert.equal(gone.code, 2);
    assert.match(gone.stderr, /LOGIN_GRANT_NOT_FOUND/);
  });
});
