import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { openJobQueue, SqliteJobQueue } from '../../src/store/jobs/index.js';
import { BACKENDS, freshServices } from '../helpers/store.js';
import { eventually, runJobQueueContract } from './job-queue.js';

for (const backend of BACKENDS) {
  runJobQueueContract(
    backend === 'sqlite' ? 'in-process runner on SQLite' : 'pg-boss',
    async () => {
      const s = await freshServices(backend, undefined, { tlog: false });
      return {
        open: () =>
          openJobQueue(s.db, {
            databaseUrl: s.databaseUrl,
            pollMs: backend === 'sqlite' ? 50 : 500,
          }),
        close: () => s.close(),
      };
    },
  );
}

for (const backend of BACKENDS) {
  it(`${backend}: a backlog runs back to back, and a job enqueued in this process starts without waiting for the poll`, async () => {
    const s = await freshServices(backend, undefined, { tlog: false });
    // A poll long enough that waiting for it shows: pg-boss waited one after every job it found.
    const q = await openJobQueue(s.db, { databaseUrl: s.databaseUrl, pollMs: 5000 });
    try {
      const retry = { retryLimit: 0, retryBackoff: false };
      for (let i = 0; i < 5; i++) await q.enqueue('backlog', { i }, retry);
      const done: number[] = [];
      await q.work<{ i: number }>('backlog', async (j) => {
        done.push(j.data.i);
      });
      await eventually(() => done.length === 5, 4000);
      await new Promise((r) => setTimeout(r, 300)); // idle now, waiting for its next poll
      await q.enqueue('backlog', { i: 5 }, retry);
      await eventually(() => done.length === 6, 2500);
      assert.deepEqual([...done].sort(), [0, 1, 2, 3, 4, 5]);
    } finally {
      await q.stop();
      await s.close();
    }
  });
}

it('SQLite runner: a job a crashed run left active runs again at the next start', async () => {
  const s = await freshServices('sqlite', undefined, { tlog: false });
  try {
    const q = await SqliteJobQueue.start(s.db);
    const id = await q.enqueue('crash', { n: 1 }, { retryLimit: 0, retryBackoff: false });
    assert.ok(id);
    // What a process killed mid-job leaves behind: the row claimed, never finished.
    await sql`update jobs set state = 'active' where id = ${id}`.execute(s.db.kysely);
    await q.stop();
    const q2 = await SqliteJobQueue.start(s.db, { pollMs: 50 });
    const seen: unknown[] = [];
    await q2.work('crash', async (j) => {
      seen.push(j.data);
    });
    await eventually(async () => (await q2.get('crash', id))?.state === 'completed');
    assert.deepEqual(seen, [{ n: 1 }]);
    await q2.stop();
  } finally {
    await s.close();
  }
});
