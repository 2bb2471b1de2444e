import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { serveProcess } from '../helpers/serve-process.js';

/** `custody serve` takes the day's KPI snapshot at start (CUSTODY_KPI_* read by the composition root). */
describe('custody serve: KPI snapshots', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'custody-kpi-serve-'));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('takes today’s snapshot at start', async () => {
    const served = await serveProcess(dir(), { CUSTODY_KPI_SNAPSHOT_CHECK: '0' });
    try {
      let token: string | undefined;
      for (let i = 0; i < 500 && token === undefined; i++) {
        token = /CUSTODY_TOKEN=(\S+)/.exec(served.stdout())?.[1];
        if (token === undefined) await new Promise((done) => setTimeout(done, 20));
      }
      assert.ok(token, served.stdout());
      const today = new Date().toISOString().slice(0, 10);
      let points: { day: string }[] = [];
      // The snapshot runs beside the listener; it is there within moments of the start.
      for (let i = 0; i < 400 && points.length === 0; i++) {
        const r = await fetch(`${served.url}/api/v1/kpis/b3.chaos-test-frequency/history?days=2`, {
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(r.status, 200);
        points = ((await r.json()) as { points: { day: string }[] }).points;
        if (points.length === 0) await new Promise((done) => setTimeout(done, 50));
      }
      assert.deepEqual(
        points.map((p) => p.day),
        [today],
      );
    } finally {
      served.child.kill('SIGTERM');
      await served.exit;
    }
  });
});
