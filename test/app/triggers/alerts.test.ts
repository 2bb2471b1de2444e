import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SEED_001_ENGINE } from '../../../src/app/triggers/index.js';
import { BACKENDS, call, push, sbomFixtures } from '../../helpers/server.js';
import { startReceiver, startTriggerServer, type TriggerServer } from './harness.js';

const HOUR = 3_600_000;

// biome-ignore lint/suspicious/noExplicitAny: JSON answers
type Json = any;

async function until<T>(what: string, check: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Alerts: a CVE draft is due in 48 h and alerts at 24 h (seed 001's "24–48 hours"); an open action
 * past its alert time or deadline is sent to the owning team's webhook once per kind
 * (`trigger.alert`, `trigger.overdue`), counted in /metrics; done work alerts nobody.
 */
for (const backend of BACKENDS) {
  describe(`trigger alerts (${backend})`, { timeout: 120_000 }, () => {
    let now = Date.parse('2026-12-03T10:00:00.000Z');
    let srv: TriggerServer;
    let publisher: string;
    let scraper: string;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    before(async () => {
      srv = await startTriggerServer(backend, {
        engine: SEED_001_ENGINE,
        clock: () => new Date(now),
      });
      publisher = await srv.token('publisher', ['a']);
      scraper = await srv.token('viewer');
      receiver = await startReceiver('alert-secret-alert-secret');
      const admin = await srv.token('admin');
      const hook = await call(srv, 'PUT', '/api/v1/teams/a/notifications', {
        token: admin,
        body: { url: receiver.url, secret: 'alert-secret-alert-secret' },
      });
      assert.equal(hook.status, 200, hook.text);
    });
    after(async () => {
      await srv.close();
      await receiver.close();
    });

    const sweep = () => {
      const rt = srv.custody.triggers;
      assert.ok(rt, 'the server runs triggers');
      return rt.sweepAlerts();
    };
    const alertsOf = (event: string) =>
      receiver.received.filter((r) => JSON.parse(r.body).event === event);

    it('a CVE draft alerts its team at 24 h and again when its 48 h deadline passes, once each', async () => {
      const e = await call(srv, 'POST', '/api/v1/events', {
        token: publisher,
        body: {
          kind: 'cve-published',
          at: new Date(now).toISOString(),
          product: 'shop',
          team: 'a',
          vulnerability: 'CVE-2026-0001',
        },
      });
      assert.equal(e.status, 201, e.text);
      const vex = (e.json.actions as Json[]).find((a) => a.target === 'vex');
      assert.equal(Date.parse(vex.deadline), now + 48 * HOUR);
      assert.equal(Date.parse(vex.alertAt), now + 24 * HOUR);

      now += 23 * HOUR;
      assert.equal(await sweep(), 0, 'not yet');
      now += 2 * HOUR;
      assert.equal(await sweep(), 1);
      assert.equal(await sweep(), 0, 'once');
      const early = await until('the early alert', () => alertsOf('trigger.alert')[0]);
      assert.equal(early.signatureOk, true);
      assert.equal(JSON.parse(early.body).action.id, vex.id);

      now += 24 * HOUR;
      assert.equal(await sweep(), 1);
      assert.equal(await sweep(), 0, 'once');
      const overdue = await until('the overdue alert', () => alertsOf('trigger.overdue')[0]);
      assert.equal(JSON.parse(overdue.body).action.deadline, vex.deadline);

      const m = await call(srv, 'GET', '/metrics', { token: scraper });
      assert.match(m.text, /custody_trigger_alerts_total\{kind="early",target="vex"\} 1/);
      assert.match(m.text, /custody_trigger_alerts_total\{kind="overdue",target="vex"\} 1/);
    });

    it('work done in time alerts nobody', async () => {
      const before = receiver.received.length;
      const e = await call(srv, 'POST', '/api/v1/events', {
        token: publisher,
        body: {
          kind: 'release',
          at: new Date(now).toISOString(),
          product: 'shop',
          team: 'a',
          version: '4.0.0',
          previousVersion: '3.0.0',
        },
      });
      assert.equal(e.status, 201, e.text);
      const p = await push(srv, publisher, (await sbomFixtures()).demo, {
        product: 'shop',
        release: '4.0.0',
      });
      assert.equal(p.status, 201, p.text);
      const sbomAction = (e.json.actions as Json[]).find((a) => a.target === 'sbom');
      assert.ok(sbomAction);
      now += HOUR;
      // The release's VEX review (due with the release) is still open and does alert.
      const open = (e.json.actions as Json[]).filter((a) => a.target !== 'sbom').length;
      assert.equal(await sweep(), open);
      const alertIds = () =>
        receiver.received
          .slice(before)
          .map((r) => JSON.parse(r.body))
          .filter((b) => b.event === 'trigger.alert' || b.event === 'trigger.overdue')
          .map((b) => b.action.id as number);
      const told = await until('the alerts', () => {
        const ids = alertIds();
        return ids.length >= open ? ids : undefined;
      });
      assert.ok(!told.includes(sbomAction.id), 'the SBOM pushed in time alerts nobody');
    });
  });
}
