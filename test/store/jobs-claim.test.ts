import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { seedPortfolio } from '../../bench/_seed-portfolio.js';
import { startVulnMatching } from '../../src/app/vulnerabilities/match-jobs.js';
import {
  CLAIM_BATCH,
  claimQuery,
  openJobQueue,
  SqliteJobQueue,
} from '../../src/store/jobs/index.js';
import { eventually } from '../contract/job-queue.js';
import { BACKENDS, freshServices } from '../helpers/store.js';

const ONCE = { retryLimit: 0, retryBackoff: false } as const;

it('SQLite runner: the claim reads due jobs in order from jobs_ready, without sorting them', async () => {
  const s = await freshServices('sqlite', undefined, { tlog: false });
  try {
    const q = await SqliteJobQueue.start(s.db);
    await q.enqueueMany(
      'plan',
      Array.from({ length: 500 }, (_, i) => ({ data: { i } })),
      ONCE,
    );
    await q.enqueueMany('other', [{ data: {} }], ONCE);
    await q.stop();
    await sql`analyze`.execute(s.db.kysely);
    const c = claimQuery('plan', new Date().toISOString(), CLAIM_BATCH).compile(s.db.kysely);
    const plan = (
      (s.db.sqlite as NonNullable<typeof s.db.sqlite>)
        .prepare(`explain query plan ${c.sql}`)
        .all(...(c.parameters as unknown[])) as {
        detail: string;
      }[]
    ).map((r) => r.detail);
    assert.ok(
      plan.some((d) => /USING INDEX jobs_ready/.test(d)),
      `claim plan: ${plan.join(' | ')}`,
    );
    assert.ok(!plan.some((d) => /TEMP B-TREE/.test(d)), `claim plan: ${plan.join(' | ')}`);
  } finally {
    await s.close();
  }
});

it('SQLite runner: jobs claimed in a batch but not started when the queue stops go back, and every job runs once', async () => {
  const s = await freshServices('sqlite', undefined, { tlog: false });
  try {
    const q = await SqliteJobQueue.start(s.db, { pollMs: 50 });
    const n = CLAIM_BATCH * 2 + 5;
    await q.enqueueMany(
      'halt',
      Array.from({ length: n }, (_, i) => ({ data: { i } })),
      ONCE,
    );
    const seen: number[] = [];
    let stopping: Promise<void> | undefined;
    await q.work<{ i: number }>('halt', async (j) => {
      seen.push(j.data.i);
      if (seen.length === 3) stopping = q.stop();
    });
    await eventually(() => stopping !== undefined);
    await stopping;
    const states = await s.db.kysely
      .selectFrom('jobs')
      .select(['state', (e) => e.fn.countAll<number>().as('n')])
      .where('name', '=', 'halt')
      .groupBy('state')
      .execute();
    assert.deepEqual(
      Object.fromEntries(states.map((r) => [r.state, Number(r.n)])),
      { completed: 3, created: n - 3 },
      'the three that ran are completed; the rest of the batch is back in the queue',
    );
    const q2 = await SqliteJobQueue.start(s.db, { pollMs: 50 });
    await q2.work<{ i: number }>('halt', async (j) => {
      seen.push(j.data.i);
    });
    await eventually(() => seen.length >= n);
    await new Promise((r) => setTimeout(r, 200));
    await q2.stop();
    assert.deepEqual(
      seen,
      Array.from({ length: n }, (_, i) => i),
      'in order, each once',
    );
  } finally {
    await s.close();
  }
});

it('SQLite runner: a job that fails in a batch is retried, the others of the batch complete', async () => {
  const s = await freshServices('sqlite', undefined, { tlog: false });
  try {
    const q = await SqliteJobQueue.start(s.db, { pollMs: 50 });
    await q.enqueueMany(
      'mixed',
      Array.from({ length: 10 }, (_, i) => ({ data: { i } })),
      { retryLimit: 1, retryBackoff: false },
    );
    const attempts = new Map<number, number>();
    await q.work<{ i: number }>('mixed', async (j) => {
      attempts.set(j.data.i, j.attempt);
      if (j.data.i === 4 && j.attempt === 1) throw new Error('first attempt of 4 fails');
    });
    await eventually(async () => {
      const open = await s.db.kysely
        .selectFrom('jobs')
        .select('id')
        .where('name', '=', 'mixed')
        .where('state', '!=', 'completed')
        .execute();
      return open.length === 0;
    });
    await q.stop();
    assert.equal(attempts.get(4), 2);
    assert.equal(attempts.get(5), 1);
  } finally {
    await s.close();
  }
});

for (const backend of BACKENDS) {
  it(`${backend}: enqueueMany adds the jobs, leaving out keys already there`, async () => {
    const s = await freshServices(backend, undefined, { tlog: false });
    const q = await openJobQueue(s.db, {
      databaseUrl: s.databaseUrl,
      pollMs: backend === 'sqlite' ? 50 : 500,
    });
    try {
      assert.ok(await q.enqueue('many', { n: 0 }, { singletonKey: 'k0', ...ONCE }));
      await q.enqueueMany(
        'many',
        [
          { data: { n: 100 }, singletonKey: 'k0' },
          { data: { n: 1 }, singletonKey: 'k1' },
          { data: { n: 2 }, singletonKey: 'k2' },
          { data: { n: 3 } },
        ],
        ONCE,
      );
      assert.equal(await q.enqueue('many', { n: 200 }, { singletonKey: 'k1', ...ONCE }), null);
      const seen: number[] = [];
      await q.work<{ n: number }>('many', async (j) => {
        seen.push(j.data.n);
      });
      await eventually(() => seen.length === 4);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual([...seen].sort(), [0, 1, 2, 3]);
    } finally {
      await q.stop();
      await s.close();
    }
  });
}

it('SQLite: the start-up sweep runs in the background, and every unmatched SBOM is matched', async () => {
  const s = await freshServices('sqlite', undefined, { tlog: false, jobs: { pollMs: 50 } });
  try {
    await seedPortfolio(s, { releases: 120, unmatched: true });
    const sboms = Number(
      (
        await s.db.kysely
          .selectFrom('sboms')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    // Read on the writer's own handle, synchronously: no await lets the sweep move meanwhile.
    const queued = () =>
      (
        (s.db.sqlite as NonNullable<typeof s.db.sqlite>)
          .prepare('select count(*) as n from jobs')
          .get() as { n: number }
      ).n;
    const stop = await startVulnMatching(s);
    // Started, not yet swept: the service listens (and answers /healthz) while it sweeps.
    assert.equal(queued(), 0);
    await eventually(async () => {
      const matched = await s.db.kysely
        .selectFrom('vuln_sbom_scans')
        .select((e) => e.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(matched.n) === sboms;
    }, 60_000);
    await stop();
  } finally {
    await s.close();
  }
});

for (const backend of BACKENDS) {
  it(`${backend}: a job failing among jobs claimed together retries (and fails) alone; the others complete once`, async () => {
    const s = await freshServices(backend, undefined, { tlog: false });
    const q = await openJobQueue(s.db, {
      databaseUrl: s.databaseUrl,
      pollMs: backend === 'sqlite' ? 50 : 500,
    });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const id = await q.enqueue('fetched', { i }, { retryLimit: 1, retryBackoff: false });
        assert.ok(id);
        ids.push(id);
      }
      const runs = new Map<number, number>();
      const failed: string[] = [];
      q.onFailed((f) => {
        failed.push(f.id);
      });
      await q.work<{ i: number }>('fetched', async (j) => {
        runs.set(j.data.i, (runs.get(j.data.i) ?? 0) + 1);
        if (j.data.i === 2) throw new Error('job 2 always fails');
        if (j.data.i === 4 && j.attempt === 1) throw new Error('job 4 fails once');
      });
      const stateOf = async (k: number) => (await q.get('fetched', ids[k] as string))?.state;
      await eventually(async () => {
        for (let k = 0; k < 6; k++)
          if ((await stateOf(k)) !== (k === 2 ? 'failed' : 'completed')) return false;
        return true;
      }, 30_000);
      assert.deepEqual(
        [...runs.entries()].sort((a, b) => a[0] - b[0]),
        [
          [0, 1],
          [1, 1],
          [2, 2],
          [3, 1],
          [4, 2],
          [5, 1],
        ],
      );
      assert.deepEqual(failed, [ids[2]]);
    } finally {
      await q.stop();
      await s.close();
    }
  });
}

it('SQLite runner: enqueueMany over several commits adds every job once, keys already there left out', async () => {
  const s = await freshServices('sqlite', undefined, { tlog: false });
  try {
    const q = await SqliteJobQueue.start(s.db);
    await q.enqueueMany(
      'bulk',
      Array.from({ length: 700 }, (_, i) => ({ data: { i }, singletonKey: `k${i * 3}` })),
      ONCE,
    );
    await q.enqueueMany(
      'bulk',
      Array.from({ length: 2300 }, (_, i) => ({ data: { i }, singletonKey: `k${i}` })),
      ONCE,
    );
    await q.stop();
    const n = await s.db.kysely
      .selectFrom('jobs')
      .select((e) => e.fn.countAll<number>().as('n'))
      .where('name', '=', 'bulk')
      .executeTakeFirstOrThrow();
    // k0 … k2299, the 700 keys k0, k3, … k2097 from the first call among them.
    assert.equal(Number(n.n), 2300);
  } finally {
    await s.close();
  }
});
