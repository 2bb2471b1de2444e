import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { ActionExecutor } from '../../../src/app/triggers/index.js';
import { eventually } from '../../contract/job-queue.js';
import { BACKENDS, call } from '../../helpers/server.js';
import { startReceiver, startTriggerServer, type TriggerServer } from './harness.js';

const SECRET = 'notify-secret-0123456789';

/**
 * Executors that write a mark in the action's own transaction: `sbom` fails on its first
 * attempt per action, `vex` on every attempt.
 */
function executors(): { executors: Record<string, ActionExecutor>; attempts: Map<number, number> } {
  const attempts = new Map<number, number>();
  const mark: ActionExecutor = async (trx, a) => {
    await sql`insert into custody_test_marks (action_id) values (${a.id})`.execute(trx);
    attempts.set(a.id, (attempts.get(a.id) ?? 0) + 1);
  };
  return {
    attempts,
    executors: {
      sbom: async (trx, a) => {
        await mark(trx, a);
        if (attempts.get(a.id) === 1) throw new Error('generator crashed (first attempt)');
      },
      vex: async (trx, a) => {
        await mark(trx, a);
        throw new Error('VEX service refused the draft');
      },
    },
  };
}

async function marks(srv: TriggerServer, actionId: number): Promise<number> {
  const r = await sql<{
    n: number | string;
  }>`select count(*) as n from custody_test_marks where action_id = ${actionId}`.execute(
    srv.services.db.kysely,
  );
  return Number(r.rows[0]?.n ?? 0);
}

async function action(srv: TriggerServer, token: string, eventId: number, target: string) {
  const r = await call(srv, 'GET', `/api/v1/events/${eventId}`, { token });
  return r.json.actions.find((a: { target: string }) => a.target === target);
}

for (const backend of BACKENDS) {
  describe(`trigger actions as jobs (${backend})`, { timeout: 90_000 }, () => {
    let srv: TriggerServer;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let ex: ReturnType<typeof executors>;
    let pub: string;
    let admin: string;
    before(async () => {
      ex = executors();
      // The first three deliveries are refused (503): the HTTP client's own two retries are spent,
      // so the notification job has to retry.
      receiver = await startReceiver(SECRET, (n) => (n < 3 ? 503 : 204));
      srv = await startTriggerServer(backend, { executors: ex.executors });
      await sql`create table custody_test_marks (action_id integer not null)`.execute(
        srv.services.db.kysely,
      );
      pub = await srv.token('publisher', ['a']);
      admin = await srv.token('admin');
    });
    after(async () => {
      await srv.close();
      await receiver.close();
    });

    it('lets an organisation admin set where team notifications go, and never shows the secret', async () => {
      const put = await call(srv, 'PUT', '/api/v1/teams/a/notifications', {
        token: admin,
        body: { url: receiver.url, secret: SECRET },
      });
      assert.equal(put.status, 200, put.text);
      assert.deepEqual(put.json, {
        team: 'a',
        webhooks: [{ url: receiver.url }],
        inboundSecret: false,
      });
      assert.ok(!put.text.includes(SECRET));
      const teamAdmin = await srv.token('admin', ['a']);
      const refused = await call(srv, 'PUT', '/api/v1/teams/a/notifications', {
        token: teamAdmin,
        body: { url: receiver.url, secret: SECRET },
      });
      assert.equal(refused.status, 403);
      const bad = await call(srv, 'PUT', '/api/v1/teams/a/notifications', {
        token: admin,
        body: { url: 'ftp://x', secret: SECRET },
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error.code, 'NOTIFY_WEBHOOK_INVALID');
      const audit = await call(srv, 'GET', '/api/v1/audit?action=team.notifications', {
        token: admin,
      });
      assert.ok(!audit.text.includes(SECRET));
    });

    it('runs an action as a job: a failed attempt rolls back its writes, the retry commits once', async () => {
      const r = await call(srv, 'POST', '/api/v1/events', {
        token: pub,
        body: { kind: 'lockfile', product: 'shop', version: '2.0.0' },
      });
      assert.equal(r.status, 201);
      const id = r.json.actions[0].id as number;
      await eventually(async () => (await action(srv, pub, r.json.id, 'sbom'))?.state === 'done');
      assert.equal(ex.attempts.get(id), 2, 'two attempts ran');
      assert.equal(await marks(srv, id), 1, "the failed attempt's write was rolled back");
      const m = await call(srv, 'GET', '/metrics', { token: admin });
      assert.match(m.text, /custody_trigger_response_seconds_count\{target="sbom"\} 1/);
    });

    it('notifies the owning team with a signed webhook, retried until delivered', async () => {
      const decisions = () =>
        receiver.received.filter((x) => x.headers['x-custody-event'] === 'trigger.decision');
      // The first answers were 503: the same delivery comes again, from the job's retry too.
      await eventually(() => decisions().length >= 4);
      const deliveries = receiver.received.filter(
        (x) => x.headers['x-custody-event'] === 'trigger.decision',
      );
      const first = deliveries[0];
      assert.ok(first);
      assert.equal(
        deliveries[1]?.headers['x-custody-delivery'],
        first.headers['x-custody-delivery'],
      );
      assert.equal(deliveries[1]?.body, first.body);
      assert.ok(deliveries.every((x) => x.signatureOk));
      assert.match(String(first.headers['x-custody-timestamp']), /^\d{10}$/);
      const body = JSON.parse(first.body);
      assert.equal(body.event.team, 'a');
      assert.equal(body.deliveryId, first.headers['x-custody-delivery']);
    });

    it('marks an action failed after its retries, leaves nothing of it, and alerts the team', async () => {
      const r = await call(srv, 'POST', '/api/v1/events', {
        token: pub,
        body: { kind: 'cve', product: 'shop', message: 'CVE-2026-0001' },
      });
      assert.equal(r.status, 201);
      const id = r.json.actions[0].id as number;
      await eventually(async () => (await action(srv, pub, r.json.id, 'vex'))?.state === 'failed');
      const a = await action(srv, pub, r.json.id, 'vex');
      assert.match(a.error, /VEX service refused the draft/);
      assert.equal(ex.attempts.get(id), 2);
      assert.equal(await marks(srv, id), 0);
      await eventually(() =>
        receiver.received.some(
          (x) => x.headers['x-custody-event'] === 'alert.action-failed' && x.signatureOk,
        ),
      );
      const alert = receiver.received.find(
        (x) => x.headers['x-custody-event'] === 'alert.action-failed',
      );
      assert.equal(JSON.parse(alert?.body ?? '{}').action.id, id);
      const m = await call(srv, 'GET', '/metrics', { token: admin });
      assert.match(m.text, /custody_job_failures_total\{job="trigger-action"\} 1/);
    });
  });
}
