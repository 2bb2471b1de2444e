import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  kpiHistory,
  listKpis,
  snapshotIfMissing,
  startKpiSnapshots,
} from '../../src/app/kpi/index.js';
import { CLI_CALLER } from '../../src/app/tokens.js';
import { DEFAULT_SLO_SETTINGS } from '../../src/config/index.js';
import { dayOf, daysBefore } from '../../src/kpi/index.js';
import { BACKENDS, freshServices, type TestServices } from '../helpers/store.js';

const START = Date.parse('2025-04-01T06:00:00Z');
const DAY = 86_400_000;
const TRAINED = 'b1.release-managers-trained';
const RETENTION = 400;

/**
 * Fourteen months of daily snapshots under an injected clock: a snapshot every fifth day (each
 * one computes the whole catalogue, so every day would only make the test slower), a training
 * figure entered each month.
 */
for (const backend of BACKENDS) {
  describe(`KPI snapshots over 14 months (${backend})`, () => {
    let s: TestServices;
    let now = START;
    const results: { day: string; taken: boolean; pruned: number }[] = [];
    before(async () => {
      s = await freshServices(backend, () => new Date(now), { tlog: false });
      for (let i = 0; i <= 84; i++) {
        now = START + i * 5 * DAY;
        if (i % 6 === 0)
          await s.db.kysely
            .insertInto('kpi_manual_entries')
            .values({
              kpi: TRAINED,
              subject: 'alpha',
              value: i / 6 + 1,
              note: null,
              day: dayOf(new Date(now)),
              entered_by: 'auditor-person',
              entered_at: new Date(now).toISOString(),
            })
            .execute();
        results.push(
          await snapshotIfMissing(s, { slo: DEFAULT_SLO_SETTINGS, retentionDays: RETENTION }),
        );
      }
    });
    after(async () => s.close());

    it('takes one snapshot a day, and a second look the same day changes nothing', async () => {
      assert.ok(results.every((r) => r.taken));
      const again = await snapshotIfMissing(s, {
        slo: DEFAULT_SLO_SETTINGS,
        retentionDays: RETENTION,
      });
      assert.deepEqual(again, { day: dayOf(new Date(now)), taken: false, rows: 0, pruned: 0 });
      const today = await s.db.kysely
        .selectFrom('kpi_snapshots')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('day', '=', dayOf(new Date(now)))
        .executeTakeFirstOrThrow();
      assert.equal(Number(today.n), 26);
    });

    it('keeps 13 months and more, and drops what is past the retention', async () => {
      const h = await kpiHistory(s, CLI_CALLER, TRAINED, { days: 3660 });
      const last = dayOf(new Date(now));
      const first = h.points[0]?.day as string;
      assert.equal(h.points.at(-1)?.day, last);
      assert.ok(first >= daysBefore(last, RETENTION), `${first} is past the retention`);
      assert.ok(first <= daysBefore(last, 395), `${first}: less than 13 months kept`);
      assert.equal(h.points.length, 81);
      assert.ok(results.some((r) => r.pruned > 0));
    });

    it('computes month over month and the trend from the snapshots', async () => {
      const h = await kpiHistory(s, CLI_CALLER, TRAINED, { days: 400 });
      assert.equal(h.points.at(-1)?.value, 15);
      assert.ok(h.monthOverMonth !== null && Math.abs(h.monthOverMonth - 1 / 14) < 1e-9);
      // One more person a month: about 1/30 a day.
      assert.ok(
        h.trendPerDay !== null && Math.abs(h.trendPerDay - 1 / 30) < 0.003,
        String(h.trendPerDay),
      );
      const list = await listKpis(s, CLI_CALLER, { slo: DEFAULT_SLO_SETTINGS });
      const trained = list.kpis.find((k) => k.id === TRAINED);
      assert.equal(trained?.current.value, 15);
      assert.equal(trained?.current.previous, 14);
    });
  });
}

describe('the snapshot timer', () => {
  it('takes the next day’s snapshot on its next look, once', async () => {
    let now = START;
    const s = await freshServices('sqlite', () => new Date(now), { tlog: false });
    const job = startKpiSnapshots(s, {
      checkIntervalMs: 5,
      retentionDays: RETENTION,
      slo: DEFAULT_SLO_SETTINGS,
    });
    try {
      await job.first;
      now = START + DAY;
      const days = async () =>
        (await s.db.kysely.selectFrom('kpi_snapshots').select('day').distinct().execute())
          .map((r) => r.day)
          .sort();
      let seen: string[] = [];
      for (let i = 0; i < 2000 && seen.length < 2; i++) {
        seen = await days();
        if (seen.length < 2) await new Promise((done) => setTimeout(done, 5));
      }
      assert.deepEqual(seen, ['2025-04-01', '2025-04-02']);
      const rows = await s.db.kysely
        .selectFrom('kpi_snapshots')
        .select('id')
        .where('team', 'is', null)
        .execute();
      assert.equal(rows.length, 52);
    } finally {
      job.stop();
      await s.close();
    }
  });
});

for (const backend of BACKENDS) {
  describe(`snapshots of one day taken at once (${backend})`, () => {
    it('keep one row per KPI: replicas racing leave the first one’s', async () => {
      const s = await freshServices(backend, () => new Date(START), { tlog: false });
      try {
        const o = { slo: DEFAULT_SLO_SETTINGS, retentionDays: RETENTION };
        const results = await Promise.all([snapshotIfMissing(s, o), snapshotIfMissing(s, o)]);
        assert.ok(results.some((r) => r.taken));
        const rows = await s.db.kysely.selectFrom('kpi_snapshots').select('kpi').execute();
        assert.equal(rows.length, 26);
      } finally {
        await s.close();
      }
    });
  });
}
