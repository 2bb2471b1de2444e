import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { computeSloBurn, hourKey, median } from '../../src/admission/slo.js';
import { DEFAULT_SLO_SETTINGS, loadSloSettings } from '../../src/config/index.js';

const NOW = new Date('2026-12-01T12:30:00Z');

describe('admission SLO burn', () => {
  it('burn rate is the error rate over the allowed error rate', () => {
    // 10,000 decisions in the window, 20 bad: 0.2 % against 0.1 % allowed = burning twice as fast.
    const b = computeSloBurn(
      { target: 0.999, windowHours: 720 },
      [
        { hour: '2026-11-20T00', decisions: 9000, bad: 10 },
        { hour: hourKey(NOW), decisions: 1000, bad: 10 },
      ],
      NOW,
    );
    assert.equal(b.decisions, 10_000);
    assert.equal(b.bad, 20);
    assert.ok(Math.abs(b.errorRate - 0.002) < 1e-12);
    assert.ok(Math.abs(b.burnRate - 2) < 1e-9);
    assert.ok(Math.abs(b.budgetRemaining - -1) < 1e-9);
    // The last hour alone: 1 % bad, a burn of 10.
    assert.ok(Math.abs(b.burnRate1h - 10) < 1e-9);
  });

  it('counts only the hours in the window', () => {
    const b = computeSloBurn(
      { target: 0.99, windowHours: 24 },
      [
        { hour: '2026-11-29T12', decisions: 100, bad: 100 },
        { hour: '2026-11-30T13', decisions: 100, bad: 1 },
      ],
      NOW,
    );
    assert.equal(b.decisions, 100);
    assert.ok(Math.abs(b.burnRate - 1) < 1e-9);
    assert.ok(Math.abs(b.budgetRemaining) < 1e-9);
  });

  it('no decisions: nothing burnt', () => {
    const b = computeSloBurn({ target: 0.999, windowHours: 720 }, [], NOW);
    assert.deepEqual([b.errorRate, b.burnRate, b.budgetRemaining], [0, 0, 1]);
  });

  it('median', () => {
    assert.equal(median([]), null);
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });
});

describe('SLO settings', () => {
  it('defaults to 99.9 % over 30 days', () => {
    assert.deepEqual(loadSloSettings({}), DEFAULT_SLO_SETTINGS);
    assert.deepEqual(DEFAULT_SLO_SETTINGS, { target: 0.999, windowHours: 720 });
  });

  it('reads a share or a percentage, and a window in hours or days', () => {
    assert.deepEqual(
      loadSloSettings({
        CUSTODY_ADMISSION_SLO_TARGET: '99.5%',
        CUSTODY_ADMISSION_SLO_WINDOW: '7d',
      }),
      { target: 0.995, windowHours: 168 },
    );
    assert.equal(loadSloSettings({ CUSTODY_ADMISSION_SLO_TARGET: '0.99' }).target, 0.99);
    assert.equal(loadSloSettings({ CUSTODY_ADMISSION_SLO_WINDOW: '72h' }).windowHours, 72);
  });

  it('refuses what is not a share or a window, naming the variable', () => {
    for (const target of ['1', '0', '100%', 'abc', '-0.5', '1.5'])
      assert.throws(
        () => loadSloSettings({ CUSTODY_ADMISSION_SLO_TARGET: target }),
        (e: Error & { code?: string }) =>
          e.code === 'USAGE' && /CUSTODY_ADMISSION_SLO_TARGET/.test(e.message),
        target,
      );
    for (const window of ['0h', '91d', '30', '2w', '1.5d'])
      assert.throws(
        () => loadSloSettings({ CUSTODY_ADMISSION_SLO_WINDOW: window }),
        (e: Error & { code?: string }) =>
          e.code === 'USAGE' && /CUSTODY_ADMISSION_SLO_WINDOW/.test(e.message),
        window,
      );
  });
});

describe('SLO settings, any input', () => {
  it('either a setting within bounds or USAGE, never anything else', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.stringMatching(/^\d{1,4}[hdw]?$/),
      fc.stringMatching(/^\d{1,3}(\.\d{1,4})?%?$/),
    );
    fc.assert(
      fc.property(text, text, (target, window) => {
        let s: ReturnType<typeof loadSloSettings>;
        try {
          s = loadSloSettings({
            CUSTODY_ADMISSION_SLO_TARGET: target,
            CUSTODY_ADMISSION_SLO_WINDOW: window,
          });
        } catch (e) {
          assert.equal((e as { code?: string }).code, 'USAGE');
          return;
        }
        assert.ok(s.target > 0 && s.target < 1);
        assert.ok(Number.isInteger(s.windowHours) && s.windowHours >= 1 && s.windowHours <= 2160);
      }),
      { numRuns: 2000 },
    );
  });
});
