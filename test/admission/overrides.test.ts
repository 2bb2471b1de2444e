import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_OVERRIDE_HOURS,
  overrideState,
  validateOverrideRequest,
} from '../../src/admission/overrides.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const inHours = (h: number) => new Date(NOW.getTime() + h * 3600_000).toISOString();

describe('mode overrides', () => {
  const ok = {
    namespaces: ['web', 'api', 'web'],
    mode: 'audit',
    ticket: 'INC-7',
    expiresAt: inHours(4),
  };

  it('takes namespaces, a mode, a ticket, an expiry and a health rule with its defaults', () => {
    const r = validateOverrideRequest(
      { ...ok, revertWhenHealthy: { upstreams: ['registry'] } },
      NOW,
    );
    assert.deepEqual(r.namespaces, ['api', 'web']);
    assert.deepEqual(r.revertWhenHealthy, {
      upstreams: ['registry'],
      probes: 10,
      windowMs: 300_000,
    });
  });

  it(`refuses an expiry beyond ${MAX_OVERRIDE_HOURS} h with its own code, and takes exactly ${MAX_OVERRIDE_HOURS} h`, () => {
    assert.throws(() => validateOverrideRequest({ ...ok, expiresAt: inHours(72.001) }, NOW), {
      code: 'ADMISSION_OVERRIDE_TOO_LONG',
    });
    assert.equal(
      validateOverrideRequest({ ...ok, expiresAt: inHours(72) }, NOW).expiresAt,
      inHours(72),
    );
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ['no namespaces', { namespaces: [] }, 'ADMISSION_OVERRIDE_INVALID'],
    ['a bad namespace', { namespaces: ['Bad'] }, 'ADMISSION_NAMESPACE_INVALID'],
    ['a mode outside the list', { mode: 'off' }, 'ADMISSION_OVERRIDE_INVALID'],
    ['no ticket', { ticket: '' }, 'ADMISSION_OVERRIDE_INVALID'],
    ['a past expiry', { expiresAt: inHours(-1) }, 'ADMISSION_OVERRIDE_INVALID'],
    [
      'a health rule without upstreams',
      { revertWhenHealthy: { upstreams: [] } },
      'ADMISSION_OVERRIDE_INVALID',
    ],
    [
      'a health rule with zero probes',
      { revertWhenHealthy: { upstreams: ['log'], probes: 0 } },
      'ADMISSION_OVERRIDE_INVALID',
    ],
  ];
  for (const [what, change, code] of bad)
    it(`refuses ${what}`, () => {
      assert.throws(() => validateOverrideRequest({ ...ok, ...change } as never, NOW), { code });
    });

  it('is active with two approvals until it expires, is reverted or revoked', () => {
    const o = { expiresAt: inHours(2), revokedAt: null, revertedAt: null, approvals: 2 };
    assert.equal(overrideState(o, NOW), 'active');
    assert.equal(overrideState({ ...o, approvals: 1 }, NOW), 'pending');
    assert.equal(overrideState(o, new Date(inHours(2))), 'expired');
    assert.equal(
      overrideState({ ...o, revertedAt: inHours(1) }, new Date(inHours(1.5))),
      'reverted',
    );
    assert.equal(overrideState({ ...o, revertedAt: inHours(1) }, NOW), 'active');
    assert.equal(overrideState({ ...o, revokedAt: NOW.toISOString() }, NOW), 'revoked');
  });
});
