import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SEED_001_ENGINE } from '../../../src/app/triggers/index.js';
import { BACKENDS, call, push, sbomFixtures } from '../../helpers/server.js';
import { startTriggerServer, type TriggerServer } from './harness.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers
type Json = any;

/**
 * A VEX publication is what the events' `vex` actions ask for: publishing meets the product's
 * open ones it answers (the first draft of a CVE by any statement naming it; later actions only
 * by a statement changed since the event; a release's review by any publication after it), in
 * the publication's transaction, audited; actions it does not answer stay open.
 */
for (const backend of BACKENDS) {
  describe(`VEX publications meet trigger actions (${backend})`, { timeout: 120_000 }, () => {
    let now = Date.parse('2026-12-03T10:00:00.000Z');
    let srv: TriggerServer;
    let publisher: string;
    let admin: string;
    before(async () => {
      srv = await startTriggerServer(backend, {
        engine: SEED_001_ENGINE,
        clock: () => new Date(now),
        tlog: true,
      });
      publisher = await srv.token('publisher', ['a'], 'pat@example.com');
      admin = await srv.token('admin');
      const p = await push(srv, publisher, (await sbomFixtures()).demo, {
        product: 'shop',
        release: '1.0.0',
      });
      assert.equal(p.status, 201, p.text);
    });
    after(() => srv.close());

    const event = async (body: Record<string, unknown>) => {
      const r = await call(srv, 'POST', '/api/v1/events', {
        token: publisher,
        body: { at: new Date(now).toISOString(), product: 'shop', team: 'a', ...body },
      });
      assert.equal(r.status, 201, r.text);
      return r.json.id as number;
    };
    const vexAction = async (id: number) => {
      const r = await call(srv, 'GET', `/api/v1/events/${id}`, { token: publisher });
      assert.equal(r.status, 200, r.text);
      return (r.json.actions as Json[]).find((a) => a.target === 'vex');
    };

    it('publishing meets the CVE draft and the release review, not the exploit update it does not state', async () => {
      const d = await call(srv, 'POST', '/api/v1/vex/shop/statements', {
        token: publisher,
        body: {
          vulnerability: 'CVE-2026-1000',
          releases: ['1.0.0'],
          components: ['pkg:npm/lodash'],
        },
      });
      assert.equal(d.status, 201, d.text);
      now += 60_000;
      const cve = await event({ kind: 'cve-published', vulnerability: 'cve-2026-1000' });
      const other = await event({ kind: 'cve-published', vulnerability: 'CVE-2026-2000' });
      const release = await event({ kind: 'release', version: '1.1.0', previousVersion: '1.0.0' });
      const exploit = await event({ kind: 'exploit-published', vulnerability: 'CVE-2026-1000' });
      for (const id of [cve, other, release, exploit])
        assert.equal((await vexAction(id))?.state, 'pending', `event ${id}`);

      now += 60_000;
      const pub = await call(srv, 'POST', '/api/v1/vex/shop/publish?format=openvex', {
        token: publisher,
      });
      assert.equal(pub.status, 201, pub.text);

      const met = await vexAction(cve);
      assert.equal(met.state, 'done');
      assert.equal(met.doneAt, new Date(now).toISOString());
      assert.equal((await vexAction(release)).state, 'done');
      assert.equal((await vexAction(other)).state, 'pending', 'no statement names it');
      assert.equal(
        (await vexAction(exploit)).state,
        'pending',
        'the statement has not changed since the exploit',
      );
      const audit = await call(srv, 'GET', '/api/v1/audit?action=event.vex-published', {
        token: admin,
      });
      assert.equal(audit.status, 200, audit.text);
      assert.equal(audit.json.items.length, 2);
    });
  });
}
