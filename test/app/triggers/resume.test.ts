import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { CLI_CALLER } from '../../../src/app/tokens.js';
import { receiveEvent, TriggerRuntime } from '../../../src/app/triggers/index.js';
import { ensureTeam } from '../../../src/store/catalogue.js';
import { openJobQueue } from '../../../src/store/jobs/index.js';
import { eventually } from '../../contract/job-queue.js';
import { BACKENDS, call } from '../../helpers/server.js';
import { freshServices } from '../../helpers/store.js';
import { startTriggerServer } from './harness.js';
import { TinyEngine } from './tiny-engine.js';

for (const backend of BACKENDS) {
  describe(`trigger actions across a restart (${backend})`, { timeout: 60_000 }, () => {
    it('runs, at the next start, actions committed but never enqueued', async () => {
      const s = await freshServices(backend, undefined, { tlog: false });
      try {
        await ensureTeam(s.db.kysely, 'a', '2026-12-01T00:00:00.000Z');
        // A service that stored the event and stopped before any job was enqueued.
        const down = new TriggerRuntime(s, { engine: new TinyEngine() });
        const r = await receiveEvent(down, CLI_CALLER, 'api', {
          kind: 'lockfile',
          product: 'shop',
          team: 'a',
        });
        assert.equal(r.event.actions[0]?.state, 'pending');
        const jobs = await openJobQueue(s.db, {
          databaseUrl: s.databaseUrl,
          pollMs: backend === 'sqlite' ? 50 : 500,
        });
        const ran: number[] = [];
        const up = new TriggerRuntime(s, {
          engine: new TinyEngine(),
          jobs,
          executors: {
            sbom: async (_trx, a) => {
              ran.push(a.id);
            },
          },
        });
        await up.startWorkers();
        const id = r.event.actions[0]?.id as number;
        await eventually(async () => {
          const row = await sql<{
            state: string;
          }>`select state from trigger_actions where id = ${id}`.execute(s.db.kysely);
          return row.rows[0]?.state === 'done';
        });
        assert.deepEqual(ran, [id]);
        await jobs.stop();
      } finally {
        await s.close();
      }
    });
  });
}

describe('overdue trigger actions in /metrics', () => {
  it('counts actions past their deadline and not done', async () => {
    let now = Date.parse('2026-12-03T10:00:00.000Z');
    const srv = await startTriggerServer('sqlite', { clock: () => new Date(now) });
    try {
      const pub = await srv.token('publisher', ['a']);
      const viewer = await srv.token('viewer');
      const r = await call(srv, 'POST', '/api/v1/events', {
        token: pub,
        body: { kind: 'release', product: 'shop', version: '5.0.0' },
      });
      assert.equal(r.status, 201);
      assert.equal(r.json.actions[0].deadline, '2026-12-03T10:15:00.000Z');
      const before = await call(srv, 'GET', '/metrics', { token: viewer });
      assert.match(before.text, /custody_trigger_actions_overdue 0/);
      now += 16 * 60_000;
      const afterDeadline = await call(srv, 'GET', '/metrics', { token: viewer });
      assert.match(afterDeadline.text, /custody_trigger_actions_overdue 1/);
    } finally {
      await srv.close();
    }
  });
});
