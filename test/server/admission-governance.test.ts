import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BACKENDS,
  call,
  countRows,
  startServer,
  type TestServer,
  tokenFor,
} from '../helpers/server.js';

const later = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();

for (const backend of BACKENDS) {
  describe(`admission governance over HTTP (${backend})`, () => {
    let srv: TestServer;
    let admin: string;
    let publisher: string;
    let owner: string;
    let security: string;
    let security2: string;
    before(async () => {
      srv = await startServer(backend);
      admin = await tokenFor(srv.services, 'admin', undefined, 'ada');
      publisher = await tokenFor(srv.services, 'publisher', ['shop'], 'pat');
      owner = await tokenFor(srv.services, 'approver', ['shop'], 'olive');
      security = await tokenFor(srv.services, 'approver', undefined, 'sec');
      security2 = await tokenFor(srv.services, 'approver', undefined, 'sid');
    });
    after(async () => srv.close());

    it('sets, reads and lists namespace configuration; the default is enforce', async () => {
      const d = await call(srv, 'GET', '/api/v1/admission/namespaces/fresh?cluster=prod', {
        token: publisher,
      });
      assert.equal(d.status, 200, d.text);
      assert.equal(d.json.mode, 'enforce');
      assert.equal(d.json.source, 'default');
      const put = await call(srv, 'PUT', '/api/v1/admission/namespaces/web', {
        token: admin,
        body: {
          mode: 'warn',
          team: 'shop',
          expectedIssuer: 'https://token.actions.githubusercontent.com',
        },
      });
      assert.equal(put.status, 201, put.text);
      assert.equal(put.json.version, 1);
      const again = await call(srv, 'PUT', '/api/v1/admission/namespaces/web', {
        token: admin,
        body: {
          mode: 'warn',
          team: 'shop',
          expectedIssuer: 'https://token.actions.githubusercontent.com',
        },
      });
      assert.equal(again.status, 200);
      const got = await call(srv, 'GET', '/api/v1/admission/namespaces/web?cluster=prod', {
        token: publisher,
      });
      assert.equal(got.json.mode, 'warn');
      const list = await call(srv, 'GET', '/api/v1/admission/namespaces', { token: publisher });
      assert.deepEqual(
        list.json.items.map((c: { namespace: string }) => c.namespace),
        ['web'],
      );
    });

    it('answers bad input with a code and changes nothing', async () => {
      const before = await countRows(srv.services);
      const bad = await call(srv, 'PUT', '/api/v1/admission/namespaces/web', {
        token: admin,
        body: { mode: 'enforce', identities: [{ issuer: 'https://x', subjectRegexp: '(a+)+$' }] },
      });
      assert.equal(bad.status, 400, bad.text);
      assert.equal(bad.json.error.code, 'ADMISSION_NAMESPACE_INVALID');
      const long = await call(srv, 'POST', '/api/v1/admission/overrides', {
        token: admin,
        body: { namespaces: ['web'], mode: 'audit', ticket: 'INC-1', expiresAt: later(80) },
      });
      assert.equal(long.status, 400, long.text);
      assert.equal(long.json.error.code, 'ADMISSION_OVERRIDE_TOO_LONG');
      const mode = await call(srv, 'PUT', '/api/v1/admission/namespaces/web', {
        token: admin,
        body: { mode: 'off' },
      });
      assert.equal(mode.status, 400);
      assert.deepEqual(await countRows(srv.services), before);
    });

    it('runs an exception through both approvals over HTTP', async () => {
      const e = await call(srv, 'POST', '/api/v1/admission/exceptions', {
        token: publisher,
        body: {
          namespace: 'web',
          imagePattern: 'ghcr.io/acme/**',
          ticket: 'SEC-9',
          reasons: ['vulnerability'],
          expiresAt: later(48),
        },
      });
      assert.equal(e.status, 201, e.text);
      const asSecurity = await call(
        srv,
        'POST',
        `/api/v1/admission/exceptions/${e.json.id}/approvals?as=security`,
        {
          token: owner,
        },
      );
      assert.equal(asSecurity.status, 403);
      assert.equal(asSecurity.json.error.code, 'ADMISSION_APPROVER_FORBIDDEN');
      const a = await call(srv, 'POST', `/api/v1/admission/exceptions/${e.json.id}/approvals`, {
        token: owner,
      });
      assert.equal(a.status, 200, a.text);
      const b = await call(srv, 'POST', `/api/v1/admission/exceptions/${e.json.id}/approvals`, {
        token: security,
      });
      assert.equal(b.status, 200, b.text);
      assert.equal(b.json.state, 'active');
      const active = await call(srv, 'GET', '/api/v1/admission/exceptions?state=active', {
        token: publisher,
      });
      assert.deepEqual(
        active.json.items.map((x: { id: string }) => x.id),
        [e.json.id],
      );
      const del = await call(srv, 'DELETE', `/api/v1/admission/exceptions/${e.json.id}`, {
        token: publisher,
      });
      assert.equal(del.status, 200, del.text);
      assert.equal(del.json.state, 'revoked');
    });

    it('sets an override, answers its blast radius, and takes two approvals', async () => {
      const o = await call(srv, 'POST', '/api/v1/admission/overrides', {
        token: admin,
        body: {
          namespaces: ['web'],
          mode: 'audit',
          ticket: 'INC-2',
          expiresAt: later(2),
          revertWhenHealthy: { upstreams: ['registry'] },
        },
      });
      assert.equal(o.status, 201, o.text);
      assert.deepEqual(o.json.blastRadius, { namespaces: ['web'], images: [] });
      assert.deepEqual(o.json.override.revertWhenHealthy, {
        upstreams: ['registry'],
        probes: 10,
        windowMs: 300000,
      });
      const id = o.json.override.id;
      assert.equal(
        (
          await call(srv, 'POST', `/api/v1/admission/overrides/${id}/approvals`, {
            token: security,
          })
        ).status,
        200,
      );
      const same = await call(srv, 'POST', `/api/v1/admission/overrides/${id}/approvals`, {
        token: security,
      });
      assert.equal(same.status, 403);
      const two = await call(srv, 'POST', `/api/v1/admission/overrides/${id}/approvals`, {
        token: security2,
      });
      assert.equal(two.json.state, 'active');
      const list = await call(srv, 'GET', '/api/v1/admission/overrides?state=active', {
        token: publisher,
      });
      assert.equal(list.json.items.length, 1);
      const del = await call(srv, 'DELETE', `/api/v1/admission/overrides/${id}?reason=over`, {
        token: admin,
      });
      assert.equal(del.json.state, 'revoked');
    });

    it('registers clusters and records health probes', async () => {
      const c = await call(srv, 'POST', '/api/v1/admission/clusters', {
        token: admin,
        body: { name: 'prod' },
      });
      assert.equal(c.status, 201, c.text);
      assert.match(c.json.token, /^cadm_/);
      const list = await call(srv, 'GET', '/api/v1/admission/clusters', { token: publisher });
      assert.equal(list.json.items[0].name, 'prod');
      assert.ok(!list.text.includes(c.json.token));
      const p = await call(srv, 'POST', '/api/v1/admission/health-probes', {
        token: admin,
        body: { upstream: 'registry', healthy: false, detail: 'HTTP 503' },
      });
      assert.equal(p.status, 201, p.text);
      const metrics = await call(srv, 'GET', '/metrics', { token: admin });
      assert.match(metrics.text, /custody_admission_exceptions\{state="revoked"\} 1/);
      assert.match(metrics.text, /custody_admission_exceptions\{state="active"\} 0/);
      assert.match(metrics.text, /custody_admission_overrides\{state="revoked"\} 1/);
      const probes = await call(srv, 'GET', '/api/v1/admission/health-probes?upstream=registry', {
        token: publisher,
      });
      assert.equal(probes.json.items[0].healthy, false);
    });
  });
}
