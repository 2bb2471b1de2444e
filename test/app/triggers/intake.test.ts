import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { BACKENDS, call } from '../../helpers/server.js';
import { startTriggerServer, type TriggerServer } from './harness.js';

async function count(srv: TriggerServer, table: string): Promise<number> {
  const r = await sql<{
    n: number | string;
  }>`select count(*) as n from ${sql.table(table)}`.execute(srv.services.db.kysely);
  return Number(r.rows[0]?.n ?? 0);
}

for (const backend of BACKENDS) {
  describe(`POST /api/v1/events (${backend})`, { timeout: 60_000 }, () => {
    let srv: TriggerServer;
    let pubA: string;
    let pubB: string;
    let viewerA: string;
    before(async () => {
      srv = await startTriggerServer(backend);
      pubA = await srv.token('publisher', ['a']);
      pubB = await srv.token('publisher', ['b']);
      viewerA = await srv.token('viewer', ['a']);
    });
    after(() => srv.close());

    it('stores a new event with its decision and actions (201)', async () => {
      const r = await call(srv, 'POST', '/api/v1/events', {
        token: pubA,
        body: { kind: 'release', product: 'shop', version: '1.0.1', message: 'Release 1.0.1' },
      });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.team, 'a');
      assert.equal(r.json.source, 'api');
      assert.equal(r.json.context, 'Release 1.0.1');
      assert.equal(r.json.decision.rule, 'release');
      assert.deepEqual(
        r.json.actions.map((a: { target: string; action: string; state: string }) => [
          a.target,
          a.action,
          a.state,
        ]),
        [
          ['sbom', 'new', 'pending'],
          ['vex', 'review', 'pending'],
        ],
      );
      assert.ok(r.json.actions[0].deadline);
    });

    it('acts once on the same event twice: 200 with the first record, nothing added', async () => {
      const body = { kind: 'lockfile', product: 'shop', version: '1.0.2' };
      const first = await call(srv, 'POST', '/api/v1/events', { token: pubA, body });
      assert.equal(first.status, 201);
      const events = await count(srv, 'trigger_events');
      const actions = await count(srv, 'trigger_actions');
      const again = await call(srv, 'POST', '/api/v1/events', { token: pubA, body });
      assert.equal(again.status, 200);
      assert.equal(again.json.id, first.json.id);
      assert.deepEqual(again.json, first.json);
      assert.equal(await count(srv, 'trigger_events'), events);
      assert.equal(await count(srv, 'trigger_actions'), actions);
    });

    it('takes the sender id (body id or Idempotency-Key) as the identity', async () => {
      const a = await call(srv, 'POST', '/api/v1/events', {
        token: pubA,
        body: { kind: 'cve', product: 'shop', message: 'first telling' },
        headers: { 'idempotency-key': 'delivery-77' },
      });
      const b = await call(srv, 'POST', '/api/v1/events', {
        token: pubA,
        body: { kind: 'cve', product: 'shop', message: 'told again, worded otherwise' },
        headers: { 'idempotency-key': 'delivery-77' },
      });
      assert.equal(a.status, 201);
      assert.equal(b.status, 200);
      assert.equal(b.json.id, a.json.id);
      assert.equal(b.json.context, 'first telling');
    });

    it('stores no-action decisions too', async () => {
      const r = await call(srv, 'POST', '/api/v1/events', {
        token: pubA,
        body: { kind: 'docs', product: 'shop', message: 'Fix README typo' },
      });
      assert.equal(r.status, 201);
      assert.deepEqual(r.json.actions, []);
      assert.deepEqual(r.json.decision, { rule: 'docs', actions: [] });
      const list = await call(srv, 'GET', '/api/v1/events?kind=docs', { token: viewerA });
      assert.equal(list.json.items.length, 1);
      assert.equal(list.json.items[0].context, 'Fix README typo');
    });

    it('refuses events the engine cannot read, with a code, storing nothing', async () => {
      const before = await count(srv, 'trigger_events');
      const r = await call(srv, 'POST', '/api/v1/events', {
        token: pubA,
        body: { kind: 'weather', product: 'shop' },
      });
      assert.equal(r.status, 400);
      assert.equal(r.json.error.code, 'EVENT_INVALID');
      const noTeam = await call(srv, 'POST', '/api/v1/events', {
        token: await srv.token('publisher'),
        body: { kind: 'docs', product: 'unknown-product' },
      });
      assert.equal(noTeam.status, 400);
      assert.equal(noTeam.json.error.code, 'EVENT_INVALID');
      assert.equal(await count(srv, 'trigger_events'), before);
    });

    it("keeps teams apart: another team's events are not found, and viewers cannot report", async () => {
      const mine = await call(srv, 'POST', '/api/v1/events', {
        token: pubB,
        body: { kind: 'docs', product: 'b-thing', message: 'b only' },
      });
      assert.equal(mine.status, 201);
      assert.equal(mine.json.team, 'b');
      const other = await call(srv, 'GET', `/api/v1/events/${mine.json.id}`, { token: viewerA });
      assert.equal(other.status, 404);
      const list = await call(srv, 'GET', '/api/v1/events', { token: viewerA });
      assert.ok(list.json.items.every((e: { team: string }) => e.team === 'a'));
      const intoB = await call(srv, 'POST', '/api/v1/events', {
        token: pubA,
        body: { kind: 'docs', product: 'x', team: 'b' },
      });
      assert.equal(intoB.status, 404);
      const viewer = await call(srv, 'POST', '/api/v1/events', {
        token: viewerA,
        body: { kind: 'docs', product: 'shop' },
      });
      assert.equal(viewer.status, 403);
    });

    it('records every event in the audit trail', async () => {
      const r = await call(srv, 'GET', '/api/v1/audit?action=event.receive', {
        token: await srv.token('auditor'),
      });
      assert.ok(r.json.items.length >= 4);
    });

    it('counts events and decisions in /metrics', async () => {
      const m = await call(srv, 'GET', '/metrics', { token: await srv.token('viewer') });
      assert.match(m.text, /custody_trigger_events_total\{kind="release",source="api"\} 1/);
      assert.match(m.text, /custody_trigger_decisions_total\{target="sbom",action="new"\} 2/);
      assert.match(m.text, /custody_trigger_decisions_total\{target="none",action="none"\} 2/);
      assert.match(m.text, /custody_trigger_actions_overdue 0/);
    });
  });
}
