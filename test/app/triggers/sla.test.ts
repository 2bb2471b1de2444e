import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SEED_001_ENGINE } from '../../../src/app/triggers/index.js';
import { BACKENDS, call } from '../../helpers/server.js';
import { startTriggerServer, type TriggerServer } from './harness.js';

const MINUTE = 60_000;

/**
 * Deadlines from a per-team SLA table with defaults: a team's admin replaces any of them, the
 * engine checks every name and duration before anything is stored, and the events received after
 * get the team's deadlines (those before keep theirs).
 */
for (const backend of BACKENDS) {
  describe(`per-team SLA tables (${backend})`, { timeout: 120_000 }, () => {
    const now = Date.parse('2026-12-03T10:00:00.000Z');
    let srv: TriggerServer;
    let admin: string;
    let teamAdmin: string;
    let otherAdmin: string;
    let publisher: string;
    before(async () => {
      srv = await startTriggerServer(backend, {
        engine: SEED_001_ENGINE,
        clock: () => new Date(now),
      });
      admin = await srv.token('admin');
      teamAdmin = await srv.token('admin', ['a']);
      otherAdmin = await srv.token('admin', ['b']);
      publisher = await srv.token('publisher', ['a']);
    });
    after(() => srv.close());

    let n = 0;
    const releaseDeadline = async () => {
      n += 1;
      const r = await call(srv, 'POST', '/api/v1/events', {
        token: publisher,
        body: {
          kind: 'release',
          at: new Date(now).toISOString(),
          product: 'shop',
          team: 'a',
          version: `1.0.${n}`,
          previousVersion: `1.0.${n - 1}`,
        },
      });
      assert.equal(r.status, 201, r.text);
      const a = (r.json.actions as { target: string; deadline: string }[]).find(
        (x) => x.target === 'sbom',
      );
      return Date.parse(a?.deadline ?? '') - now;
    };
    const sla = (token: string, team = 'a') =>
      call(srv, 'GET', `/api/v1/teams/${team}/sla`, { token });
    const put = (token: string, body: unknown, team = 'a') =>
      call(srv, 'PUT', `/api/v1/teams/${team}/sla`, { token, body });

    it('defaults until a team sets its own; then its events get its deadlines', async () => {
      const d = await sla(publisher);
      assert.equal(d.status, 200, d.text);
      assert.deepEqual(d.json.overrides, {});
      assert.equal(d.json.effective.release.withinSeconds, 15 * 60);
      assert.deepEqual(d.json.effective.cveDraft, {
        withinSeconds: 48 * 3600,
        alertAfterSeconds: 24 * 3600,
      });
      assert.equal(await releaseDeadline(), 15 * MINUTE);

      const p = await put(teamAdmin, { release: { within: '5m' }, exploit: { within: '2h' } });
      assert.equal(p.status, 200, p.text);
      assert.equal(p.json.effective.release.withinSeconds, 300);
      assert.equal(p.json.effective.exploit.withinSeconds, 7200);
      assert.equal(p.json.effective.hotfix.withinSeconds, 900, 'the rest stay the defaults');
      assert.deepEqual((await sla(publisher)).json.overrides, {
        release: { within: '5m' },
        exploit: { within: '2h' },
      });
      assert.equal(await releaseDeadline(), 5 * MINUTE);

      const audit = await call(srv, 'GET', '/api/v1/audit?action=team.sla', { token: admin });
      assert.equal(audit.status, 200, audit.text);
      assert.equal(audit.json.items.length, 1);

      assert.equal((await put(admin, {})).status, 200, 'an empty table: the defaults again');
      assert.equal(await releaseDeadline(), 15 * MINUTE);
    });

    it('refuses what the engine does not accept, with a code, and stores nothing', async () => {
      assert.equal((await put(teamAdmin, { release: { within: '7m' } })).status, 200);
      const cases: [unknown, string][] = [
        [{ releese: { within: '5m' } }, 'TRIGGER_SLA_INVALID'],
        [{ release: { within: 'soon' } }, 'TRIGGER_SLA_INVALID'],
        [{ cveDraft: { within: '24h', alertAfter: '48h' } }, 'TRIGGER_SLA_INVALID'],
        [{ release: '5m' }, 'SLA_INVALID'],
        [{ release: { within: '5m', extra: 1 } }, 'SLA_INVALID'],
        [{ release: { within: { m: 5 } } }, 'SLA_INVALID'],
      ];
      for (const [body, code] of cases) {
        const r = await put(teamAdmin, body);
        assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
        assert.equal(r.json.error.code, code, JSON.stringify(body));
      }
      assert.deepEqual((await sla(publisher)).json.overrides, { release: { within: '7m' } });
      assert.equal(await releaseDeadline(), 7 * MINUTE);
    });

    it("only admins set it, and only for their teams; another team's is not even seen", async () => {
      const p = await put(publisher, { release: { within: '1m' } });
      assert.equal(p.status, 403, p.text);
      const other = await put(otherAdmin, { release: { within: '1m' } });
      assert.equal(other.status, 404, other.text);
      assert.equal((await sla(otherAdmin)).status, 404);
      assert.equal((await sla(publisher, 'nope')).status, 404);
      assert.equal(await releaseDeadline(), 7 * MINUTE);
    });
  });
}
