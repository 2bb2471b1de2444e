import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BACKENDS,
  call,
  errorCode,
  startServer,
  type TestServer,
  tokenFor,
} from '../helpers/server.js';
import { NOW, seedPortfolio } from './seed.js';

for (const backend of BACKENDS) {
  describe(`KPI routes (${backend})`, () => {
    let srv: TestServer;
    const t: Record<string, string> = {};
    before(async () => {
      srv = await startServer(backend, { clock: () => NOW });
      await seedPortfolio(srv.services.db.kysely, { tlog: false });
      for (const role of ['admin', 'auditor', 'publisher', 'approver', 'viewer'] as const)
        t[role] = await tokenFor(srv.services, role);
      t['alphaViewer'] = await tokenFor(srv.services, 'viewer', ['alpha'], 'ann');
      t['betaAuditor'] = await tokenFor(srv.services, 'auditor', ['beta'], 'bob');
      t['twoTeams'] = await tokenFor(srv.services, 'viewer', ['alpha', 'beta'], 'cy');
    });
    after(async () => srv.close());

    const get = (path: string, token: string) => call(srv, 'GET', path, { token });

    it('lists the catalogue with current values, numerators, denominators and milestones', async () => {
      const a = await get('/api/v1/kpis', t['viewer'] as string);
      assert.equal(a.status, 200, a.text);
      assert.equal(a.json.team, null);
      assert.equal(a.json.kpis.length, 26);
      const l2 = a.json.kpis.find((k: { id: string }) => k.id === 'b1.services-build-l2');
      assert.deepEqual(
        [l2.current.numerator, l2.current.denominator, l2.current.previous],
        [2, 3, null],
      );
      assert.equal(l2.source.length > 0, true);
      assert.ok(a.json.milestones.some((m: { period: string }) => m.period === 'Quarter 3'));
    });

    it('scopes to the token’s team, and refuses other teams', async () => {
      const a = await get('/api/v1/kpis', t['alphaViewer'] as string);
      assert.equal(a.json.team, 'alpha');
      const l2 = a.json.kpis.find((k: { id: string }) => k.id === 'b1.services-build-l2');
      assert.deepEqual([l2.current.numerator, l2.current.denominator], [2, 2]);
      const admitted = a.json.kpis.find(
        (k: { id: string }) => k.id === 'b1.images-verified-at-admission',
      );
      assert.equal(admitted.current.value, null);
      const other = await get('/api/v1/kpis?team=beta', t['alphaViewer'] as string);
      assert.equal(other.status, 403);
      assert.equal(errorCode(other), 'AUTH_FORBIDDEN');
      const several = await get('/api/v1/kpis', t['twoTeams'] as string);
      assert.equal(errorCode(several), 'KPI_QUERY_INVALID');
      const none = await get('/api/v1/kpis?team=nope', t['viewer'] as string);
      assert.equal(errorCode(none), 'KPI_QUERY_INVALID');
      assert.equal(none.status, 400);
    });

    it('records hand-entered figures for admins and auditors only, audited', async () => {
      const body = {
        kpi: 'b3.chaos-test-coverage',
        subject: 'svc-a',
        value: 420,
        note: 'registry outage drill',
      };
      for (const role of ['viewer', 'publisher', 'approver']) {
        const a = await call(srv, 'POST', '/api/v1/kpis/manual', {
          token: t[role] as string,
          body,
        });
        assert.equal(a.status, 403, role);
        assert.equal(errorCode(a), 'AUTH_FORBIDDEN');
      }
      const a = await call(srv, 'POST', '/api/v1/kpis/manual', {
        token: t['auditor'] as string,
        body,
      });
      assert.equal(a.status, 201, a.text);
      assert.deepEqual(
        { ...a.json, id: 0 },
        {
          id: 0,
          kpi: 'b3.chaos-test-coverage',
          subject: 'svc-a',
          value: 420,
          note: 'registry outage drill',
          day: '2026-06-15',
          enteredBy: 'auditor-person',
          enteredAt: NOW.toISOString(),
        },
      );
      const audited = await srv.services.db.kysely
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'kpi.record')
        .execute();
      assert.equal(audited.length, 1);
      assert.equal(audited[0]?.person, 'auditor-person');
      assert.equal(audited[0]?.team, 'alpha');
      // A team-scoped auditor records only about its own teams' services.
      const outside = await call(srv, 'POST', '/api/v1/kpis/manual', {
        token: t['betaAuditor'] as string,
        body,
      });
      assert.equal(outside.status, 403);
      const own = await call(srv, 'POST', '/api/v1/kpis/manual', {
        token: t['betaAuditor'] as string,
        body: { ...body, subject: 'svc-c' },
      });
      assert.equal(own.status, 201);
      const list = await get('/api/v1/kpis/manual', t['alphaViewer'] as string);
      assert.deepEqual(
        list.json.entries.map((e: { subject: string }) => e.subject),
        ['svc-a'],
      );
      const all = await get(
        '/api/v1/kpis/manual?kpi=b3.chaos-test-coverage',
        t['viewer'] as string,
      );
      assert.equal(all.json.entries.length, 2);
      const kpis = await get('/api/v1/kpis', t['viewer'] as string);
      const chaos = kpis.json.kpis.find((k: { id: string }) => k.id === 'b3.chaos-test-coverage');
      assert.deepEqual([chaos.current.numerator, chaos.current.denominator], [2, 3]);
    });

    it('refuses figures that do not fit, and tokens revoked since they were checked', async () => {
      const post = (token: string, body: unknown) =>
        call(srv, 'POST', '/api/v1/kpis/manual', { token, body });
      const computed = await post(t['admin'] as string, {
        kpi: 'b1.services-build-l2',
        subject: 'svc-a',
        value: 1,
      });
      assert.equal(errorCode(computed), 'KPI_ENTRY_INVALID');
      const unknown = await post(t['admin'] as string, {
        kpi: 'b3.chaos-test-coverage',
        subject: 'nope',
        value: 1,
      });
      assert.equal(errorCode(unknown), 'KPI_ENTRY_INVALID');
      const missing = await post(t['admin'] as string, {
        kpi: 'b9.nope',
        subject: 'svc-a',
        value: 1,
      });
      assert.equal(missing.status, 404);
      assert.equal(errorCode(missing), 'KPI_NOT_FOUND');
      // The authenticator has the token cached; the write's transaction reads it again.
      const token = await tokenFor(srv.services, 'auditor', undefined, 'eve');
      const ok = await post(token, {
        kpi: 'b1.release-managers-trained',
        subject: 'alpha',
        value: 1,
      });
      assert.equal(ok.status, 201);
      await srv.services.db.kysely
        .updateTable('tokens')
        .set({ revoked_at: NOW.toISOString() })
        .where('person', '=', 'eve')
        .execute();
      const revoked = await post(token, {
        kpi: 'b1.release-managers-trained',
        subject: 'alpha',
        value: 2,
      });
      assert.equal(revoked.status, 401);
      assert.equal(errorCode(revoked), 'AUTH_TOKEN_INVALID');
    });

    it('takes today’s snapshot for admins, and serves it as history', async () => {
      const refused = await call(srv, 'POST', '/api/v1/kpis/snapshot', {
        token: t['auditor'] as string,
      });
      assert.equal(refused.status, 403);
      const a = await call(srv, 'POST', '/api/v1/kpis/snapshot', { token: t['admin'] as string });
      assert.equal(a.status, 200, a.text);
      assert.equal(a.json.day, '2026-06-15');
      assert.ok(a.json.rows >= 26);
      const h = await get(
        '/api/v1/kpis/b1.services-build-l2/history?days=400',
        t['viewer'] as string,
      );
      assert.equal(h.status, 200, h.text);
      assert.deepEqual(h.json.points, [
        { day: '2026-06-15', value: 2 / 3, numerator: 2, denominator: 3 },
      ]);
      const team = await get(
        '/api/v1/kpis/b1.services-build-l2/history',
        t['alphaViewer'] as string,
      );
      assert.deepEqual(
        team.json.points.map((p: { value: number }) => p.value),
        [1],
      );
      assert.equal(
        errorCode(await get('/api/v1/kpis/b9.nope/history', t['viewer'] as string)),
        'KPI_NOT_FOUND',
      );
      const audited = await srv.services.db.kysely
        .selectFrom('audit_events')
        .select('action')
        .where('action', '=', 'kpi.snapshot')
        .execute();
      assert.equal(audited.length, 1);
    });

    it('exposes value, numerator and denominator per KPI in /metrics', async () => {
      const a = await get('/metrics', t['viewer'] as string);
      assert.equal(a.status, 200);
      assert.match(a.text, /custody_kpi_value\{kpi="b1.services-build-l2"\} 0.6666/);
      assert.match(a.text, /custody_kpi_numerator\{kpi="b4.signed-sbom-share"\} 3\n/);
      assert.match(a.text, /custody_kpi_denominator\{kpi="b4.signed-sbom-share"\} 6\n/);
      assert.match(a.text, /custody_kpi_value\{kpi="b1.time-to-detect-unsigned"\} 259200\n/);
    });
  });
}
