import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_KPI_SETTINGS,
  loadKpiSettings,
  MIN_KPI_RETENTION_DAYS,
} from '../../src/config/index.js';
import { CoreError } from '../../src/core/index.js';
import {
  checkManualEntry,
  daysBefore,
  KPI_CATALOGUE,
  KPI_MILESTONES,
  KpiError,
  kpiById,
  mean,
  median,
  monthOverMonth,
  ratio,
  relativeChange,
  trendPerDay,
} from '../../src/kpi/index.js';
import { expectCustodyError } from '../helpers/expect-error.js';

describe('KPI arithmetic', () => {
  it('divides only when there is something to divide by', () => {
    assert.equal(ratio(1, 4), 0.25);
    assert.equal(ratio(0, 4), 0);
    assert.equal(ratio(0, 0), null);
  });

  it('takes medians and means', () => {
    assert.equal(median([]), null);
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(mean([]), null);
    assert.equal(mean([1, 2, 6]), 3);
  });

  it('computes relative change, with none from zero unless nothing changed', () => {
    assert.equal(relativeChange(10, 15), 0.5);
    assert.equal(relativeChange(-10, -5), 0.5);
    assert.equal(relativeChange(0, 0), 0);
    assert.equal(relativeChange(0, 3), null);
    assert.equal(relativeChange(null, 3), null);
  });

  it('fits a trend per day by least squares, skipping empty points', () => {
    assert.equal(trendPerDay([]), null);
    assert.equal(trendPerDay([{ day: '2026-01-01', value: 1 }]), null);
    const t = trendPerDay([
      { day: '2026-01-01', value: 1 },
      { day: '2026-01-02', value: null },
      { day: '2026-01-11', value: 3 },
      { day: '2026-01-21', value: 5 },
    ]);
    assert.ok(t !== null && Math.abs(t - 0.2) < 1e-12);
  });

  it('compares month over month with the newest point at least 30 days older', () => {
    const points = [
      { day: '2026-01-01', value: 8 },
      { day: '2026-01-05', value: 10 },
      // 29 days before the last point: too recent to be a month ago.
      { day: '2026-01-06', value: 50 },
      { day: '2026-01-20', value: 99 },
      { day: '2026-02-04', value: 12 },
    ];
    assert.equal(monthOverMonth(points), 0.2);
    assert.equal(monthOverMonth(points.slice(2)), null);
    assert.equal(daysBefore('2026-03-01', 30), '2026-01-30');
  });
});

describe('KPI catalogue', () => {
  it('names each figure once, for all four briefs, with numerator and source', () => {
    const ids = KPI_CATALOGUE.map((k) => k.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual([...new Set(KPI_CATALOGUE.map((k) => k.brief))].sort(), [1, 2, 3, 4]);
    for (const k of KPI_CATALOGUE) {
      assert.match(k.id, new RegExp(`^b${k.brief}\\.[a-z0-9-]+$`));
      assert.ok(k.numerator.length > 0 && k.source.length > 0, k.id);
      if (k.denominator === null) assert.equal(k.unit, 'count', k.id);
      if (k.manual) assert.match(k.source, /manual/, k.id);
    }
  });

  it('ties every milestone to KPIs that exist', () => {
    assert.ok(KPI_MILESTONES.some((m) => m.brief === 1 && m.period === '6–12 months'));
    for (const q of ['Quarter 1', 'Quarter 2', 'Quarter 3'])
      assert.ok(
        KPI_MILESTONES.some((m) => m.brief === 2 && m.period === q),
        q,
      );
    for (const m of KPI_MILESTONES) for (const k of m.kpis) assert.ok(kpiById(k.id), k.id);
  });
});

describe('hand-entered figures', () => {
  const today = '2026-06-15';
  const trained = kpiById('b1.release-managers-trained');
  const runbook = kpiById('b3.services-fallback-runbook');
  const computed = kpiById('b1.services-build-l2');
  if (!trained || !runbook || !computed) throw new Error('catalogue changed');

  it('accepts a figure for a manual KPI, defaulting the day to today', () => {
    assert.deepEqual(
      checkManualEntry(trained, { value: 4, subject: ' alpha ', note: ' ' }, today),
      {
        value: 4,
        subject: 'alpha',
        note: null,
        day: today,
      },
    );
  });

  it('refuses figures that do not fit the KPI', () => {
    const bad = (def: typeof trained, e: Parameters<typeof checkManualEntry>[1]) =>
      expectCustodyError(() => checkManualEntry(def, e, today), KpiError, 'KPI_ENTRY_INVALID');
    bad(computed, { value: 1, subject: 'svc-a' });
    bad(trained, { value: 1 });
    bad(trained, { value: 1.5, subject: 'alpha' });
    bad(trained, { value: -1, subject: 'alpha' });
    bad(runbook, { value: 2, subject: 'svc-a' });
    bad(trained, { value: 1, subject: 'alpha', day: '2026-02-30' });
    bad(trained, { value: 1, subject: 'alpha', day: '2026-06-16' });
    bad(trained, { value: 1, subject: 'alpha', note: 'x'.repeat(2001) });
  });
});

describe('KPI settings', () => {
  it('keeps 800 days by default and never less than 400', () => {
    assert.deepEqual(loadKpiSettings({}), DEFAULT_KPI_SETTINGS);
    assert.equal(DEFAULT_KPI_SETTINGS.retentionDays, 800);
    assert.equal(loadKpiSettings({ CUSTODY_KPI_RETENTION_DAYS: '400' }).retentionDays, 400);
    assert.equal(loadKpiSettings({ CUSTODY_KPI_SNAPSHOT_CHECK: '30m' }).checkIntervalMs, 1_800_000);
    assert.equal(loadKpiSettings({ CUSTODY_KPI_SNAPSHOT_CHECK: '0' }).checkIntervalMs, 0);
    for (const v of [String(MIN_KPI_RETENTION_DAYS - 1), 'forever', '-5'])
      expectCustodyError(
        () => loadKpiSettings({ CUSTODY_KPI_RETENTION_DAYS: v }),
        CoreError,
        'USAGE',
      );
    expectCustodyError(
      () => loadKpiSettings({ CUSTODY_KPI_SNAPSHOT_CHECK: '2d' }),
      CoreError,
      'USAGE',
    );
  });
});
