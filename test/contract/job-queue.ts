import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { FailedJob, JobQueue } from '../../src/store/jobs/index.js';

/** A fresh database and queues on it: `open` starts a queue (again, as after a restart). */
export interface JobQueueHarness {
  open(): Promise<JobQueue>;
  close(): Promise<void>;
}

/** Wait until `check` holds (polling), or fail after `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 15_000) {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) assert.fail(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The job queue's contract (store/jobs/ports.ts), run against the in-process runner on a real
 * SQLite file and against pg-boss on a real PostgreSQL schema.
 */
export function runJobQueueContract(driver: string, make: () => Promise<JobQueueHarness>): void {
  describe(`job queue contract (${driver})`, { timeout: 120_000 }, () => {
    const harnesses: JobQueueHarness[] = [];
    const queues: JobQueue[] = [];
    const fresh = async () => {
      const h = await make();
      harnesses.push(h);
      const open = async () => {
        const q = await h.open();
        queues.push(q);
        return q;
      };
      return { h, open, q: await open() };
    };
    after(async () => {
      for (const q of queues) await q.stop().catch(() => undefined);
      for (const h of harnesses) await h.close();
    });

    it('runs an enqueued job with its data, once, and marks it completed', async () => {
      const { q } = await fresh();
      const seen: unknown[] = [];
      await q.work<{ n: number }>('contract-basic', async (j) => {
        seen.push(j.data);
        assert.equal(j.attempt, 1);
      });
      const id = await q.enqueue(
        'contract-basic',
        { n: 7 },
        { retryLimit: 0, retryBackoff: false },
      );
      assert.ok(id);
      await eventually(async () => (await q.get('contract-basic', id))?.state === 'completed');
      assert.deepEqual(seen, [{ n: 7 }]);
    });

    it('keeps one job per singleton key: the second enqueue adds nothing', async () => {
      const { q } = await fresh();
      const first = await q.enqueue(
        'contract-single',
        { n: 1 },
        { singletonKey: 'k1', retryLimit: 0, retryBackoff: false },
      );
      const second = await q.enqueue(
        'contract-single',
        { n: 2 },
        { singletonKey: 'k1', retryLimit: 0, retryBackoff: false },
      );
      const other = await q.enqueue(
        'contract-single',
        { n: 3 },
        { singletonKey: 'k2', retryLimit: 0, retryBackoff: false },
      );
      assert.ok(first);
      assert.equal(second, null);
      assert.ok(other);
      const seen: number[] = [];
      await q.work<{ n: number }>('contract-single', async (j) => {
        seen.push(j.data.n);
      });
      await eventually(() => seen.length === 2);
      // Completed jobs still hold their key.
      await eventually(async () => (await q.get('contract-single', first))?.state === 'completed');
      const again = await q.enqueue(
        'contract-single',
        { n: 4 },
        { singletonKey: 'k1', retryLimit: 0, retryBackoff: false },
      );
      assert.equal(again, null);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(seen.sort(), [1, 3]);
    });

    it('retries a failing job and completes it when an attempt succeeds', async () => {
      const { q } = await fresh();
      const failed: FailedJob[] = [];
      q.onFailed((f) => {
        failed.push(f);
      });
      const attempts: number[] = [];
      await q.work('contract-retry', async (j) => {
        attempts.push(j.attempt);
        if (j.attempt < 3) throw new Error(`attempt ${j.attempt} fails`);
      });
      const id = await q.enqueue('contract-retry', {}, { retryLimit: 2, retryBackoff: false });
      assert.ok(id);
      await eventually(async () => (await q.get('contract-retry', id))?.state === 'completed');
      assert.deepEqual(attempts, [1, 2, 3]);
      assert.deepEqual(failed, []);
    });

    it('marks a job failed after its retries and tells the listeners once', async () => {
      const { q } = await fresh();
      const failed: FailedJob[] = [];
      q.onFailed((f) => {
        failed.push(f);
      });
      let runs = 0;
      await q.work('contract-fail', async () => {
        runs++;
        throw new Error('the action broke');
      });
      const id = await q.enqueue('contract-fail', { x: 1 }, { retryLimit: 1, retryBackoff: false });
      assert.ok(id);
      await eventually(async () => (await q.get('contract-fail', id))?.state === 'failed');
      await eventually(() => failed.length === 1);
      assert.equal(runs, 2);
      assert.equal(failed[0]?.id, id);
      assert.equal(failed[0]?.attempts, 2);
      assert.match(failed[0]?.error ?? '', /the action broke/);
      assert.deepEqual(failed[0]?.data, { x: 1 });
      const s = await q.get('contract-fail', id);
      assert.equal(s?.retryCount, 1);
    });

    it('backs off between retries (at least the base delay)', async () => {
      const { q } = await fresh();
      const at: number[] = [];
      await q.work('contract-backoff', async () => {
        at.push(Date.now());
        if (at.length === 1) throw new Error('first attempt fails');
      });
      const id = await q.enqueue(
        'contract-backoff',
        {},
        { retryLimit: 1, retryDelaySeconds: 1, retryBackoff: true },
      );
      assert.ok(id);
      await eventually(async () => (await q.get('contract-backoff', id))?.state === 'completed');
      assert.equal(at.length, 2);
      const gap = (at[1] as number) - (at[0] as number);
      assert.ok(gap >= 950, `retry came ${gap} ms after the first attempt`);
    });

    it('keeps jobs across a restart: a job enqueued before a stop runs after it', async () => {
      const { q, open } = await fresh();
      const id = await q.enqueue(
        'contract-durable',
        { keep: true },
        { retryLimit: 0, retryBackoff: false },
      );
      assert.ok(id);
      await q.stop();
      const q2 = await open();
      const seen: unknown[] = [];
      await q2.work('contract-durable', async (j) => {
        seen.push(j.data);
      });
      await eventually(async () => (await q2.get('contract-durable', id))?.state === 'completed');
      assert.deepEqual(seen, [{ keep: true }]);
    });

    it('refuses job names the drivers cannot hold', async () => {
      const { q } = await fresh();
      await assert.rejects(q.enqueue('bad name!', {}, { retryLimit: 0, retryBackoff: false }));
    });
  });
}
