import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ADMISSION_CACHE_DEFAULTS,
  loadAdmissionCacheSettings,
} from '../../../../src/config/admission-cache-settings.js';
import { CoreError } from '../../../../src/core/index.js';

describe('CUSTODY_ADMISSION_* settings', () => {
  it('defaults: 5 min TTL, 24 h staleness, 2 s per attempt with one retry', () => {
    assert.deepEqual({ ...loadAdmissionCacheSettings({}) }, { ...ADMISSION_CACHE_DEFAULTS });
    assert.equal(ADMISSION_CACHE_DEFAULTS.ttlMs, 300_000);
    assert.equal(ADMISSION_CACHE_DEFAULTS.maxStalenessMs, 86_400_000);
  });

  it('reads durations with units and bare seconds', () => {
    const s = loadAdmissionCacheSettings({
      CUSTODY_ADMISSION_CACHE_TTL: '90',
      CUSTODY_ADMISSION_MAX_STALENESS: '2h',
      CUSTODY_ADMISSION_CACHE_ENTRIES: '500',
      CUSTODY_ADMISSION_UPSTREAM_TIMEOUT: '1500ms',
      CUSTODY_ADMISSION_UPSTREAM_RETRIES: '2',
    });
    assert.deepEqual(
      { ...s },
      {
        ttlMs: 90_000,
        maxStalenessMs: 7_200_000,
        entries: 500,
        upstreamTimeoutMs: 1500,
        upstreamRetries: 2,
      },
    );
  });

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ CUSTODY_ADMISSION_CACHE_TTL: 'soon' }, /CUSTODY_ADMISSION_CACHE_TTL/],
    [{ CUSTODY_ADMISSION_CACHE_TTL: '-5' }, /CUSTODY_ADMISSION_CACHE_TTL/],
    [{ CUSTODY_ADMISSION_CACHE_TTL: '10m', CUSTODY_ADMISSION_MAX_STALENESS: '5m' }, /at least/],
    [{ CUSTODY_ADMISSION_CACHE_ENTRIES: '0' }, /CUSTODY_ADMISSION_CACHE_ENTRIES/],
    [{ CUSTODY_ADMISSION_CACHE_ENTRIES: '1.5' }, /CUSTODY_ADMISSION_CACHE_ENTRIES/],
    [{ CUSTODY_ADMISSION_UPSTREAM_TIMEOUT: '30s' }, /CUSTODY_ADMISSION_UPSTREAM_TIMEOUT/],
    [
      { CUSTODY_ADMISSION_UPSTREAM_TIMEOUT: '5s', CUSTODY_ADMISSION_UPSTREAM_RETRIES: '1' },
      /webhook/,
    ],
    [{ CUSTODY_ADMISSION_UPSTREAM_RETRIES: '9' }, /CUSTODY_ADMISSION_UPSTREAM_RETRIES/],
  ];
  for (const [env, message] of bad) {
    it(`refuses ${JSON.stringify(env)}`, () => {
      assert.throws(
        () => loadAdmissionCacheSettings(env),
        (e: unknown) => e instanceof CoreError && e.code === 'USAGE' && message.test(e.message),
      );
    });
  }
});
