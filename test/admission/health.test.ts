import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type HealthProbe, healthHeld } from '../../src/admission/health.js';

const AT = new Date('2026-12-01T12:00:00Z');
const ago = (s: number) => new Date(AT.getTime() - s * 1000).toISOString();
const rule = { upstreams: ['registry', 'log'], probes: 10, windowMs: 5 * 60_000 };

/** n probes of `upstream`, every `every` seconds back from `from` seconds ago. */
function series(upstream: string, n: number, healthy = true, from = 0, every = 20): HealthProbe[] {
  return Array.from({ length: n }, (_, i) => ({ upstream, at: ago(from + i * every), healthy }));
}

describe('health held (10 healthy probes over 5 minutes)', () => {
  it('holds when the last 10 probes of every upstream within 5 minutes are healthy', () => {
    assert.equal(healthHeld([...series('registry', 10), ...series('log', 10)], rule, AT), true);
  });

  it('does not hold with 9 probes', () => {
    assert.equal(healthHeld([...series('registry', 9), ...series('log', 10)], rule, AT), false);
  });

  it('does not hold when one upstream has no probes', () => {
    assert.equal(healthHeld(series('registry', 10), rule, AT), false);
  });

  it('does not hold when one of the last 10 failed', () => {
    const r = series('registry', 10);
    (r[4] as HealthProbe).healthy = false;
    assert.equal(healthHeld([...r, ...series('log', 10)], rule, AT), false);
  });

  it('holds when a failure is older than the newest 10 healthy probes', () => {
    const r = [
      ...series('registry', 10, true, 0, 10),
      { upstream: 'registry', at: ago(150), healthy: false },
    ];
    assert.equal(healthHeld([...r, ...series('log', 10)], rule, AT), true);
  });

  it('does not count probes outside the window (older than 5 minutes, or after at)', () => {
    // 10 probes 40 s apart: the oldest is 360 s ago, outside the window.
    assert.equal(
      healthHeld([...series('registry', 10, true, 0, 40), ...series('log', 10)], rule, AT),
      false,
    );
    // Exactly 300 s ago is outside ((at − window, at]); 299 s is inside.
    const edge = series('registry', 9).concat({
      upstream: 'registry',
      at: ago(300),
      healthy: true,
    });
    assert.equal(healthHeld([...edge, ...series('log', 10)], rule, AT), false);
    const inside = series('registry', 9).concat({
      upstream: 'registry',
      at: ago(299),
      healthy: true,
    });
    assert.equal(healthHeld([...inside, ...series('log', 10)], rule, AT), true);
    const future = series('registry', 9).concat({
      upstream: 'registry',
      at: ago(-5),
      healthy: true,
    });
    assert.equal(healthHeld([...future, ...series('log', 10)], rule, AT), false);
  });

  it('never holds for a rule without upstreams', () => {
    assert.equal(healthHeld(series('registry', 10), { ...rule, upstreams: [] }, AT), false);
  });
});
