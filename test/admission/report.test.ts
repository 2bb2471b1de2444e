import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildWouldDenyReport } from '../../src/admission/report.js';

describe('would-deny report', () => {
  const base = { days: 7, since: '2026-11-24T12:00:00.000Z', until: '2026-12-01T12:00:00.000Z' };

  it('per namespace: decisions, would-deny, by reason, top images; ready when enforce denies nothing', () => {
    const r = buildWouldDenyReport({
      ...base,
      topN: 2,
      counts: [
        {
          namespace: 'shop',
          decisions: 10,
          denied: 0,
          notEnforced: 10,
          wouldDeny: 4,
          images: 3,
          firstAt: '2026-11-25T00:00:00.000Z',
          lastAt: '2026-11-30T00:00:00.000Z',
        },
        {
          namespace: 'api',
          decisions: 5,
          denied: 0,
          notEnforced: 5,
          wouldDeny: 0,
          images: 1,
          firstAt: '2026-11-26T00:00:00.000Z',
          lastAt: '2026-11-27T00:00:00.000Z',
        },
        {
          namespace: 'core',
          decisions: 2,
          denied: 1,
          notEnforced: 0,
          wouldDeny: 0,
          images: 1,
          firstAt: '2026-11-26T00:00:00.000Z',
          lastAt: '2026-11-27T00:00:00.000Z',
        },
      ],
      groups: [
        {
          namespace: 'shop',
          image: 'r/a',
          reason: 'unsigned',
          decisions: 3,
          firstAt: '2026-11-25T00:00:00.000Z',
          lastAt: '2026-11-28T00:00:00.000Z',
        },
        {
          namespace: 'shop',
          image: 'r/b',
          reason: 'vulnerability',
          decisions: 1,
          firstAt: '2026-11-29T00:00:00.000Z',
          lastAt: '2026-11-29T00:00:00.000Z',
        },
        {
          namespace: 'shop',
          image: 'r/b',
          reason: 'sbom-missing',
          decisions: 1,
          firstAt: '2026-11-26T00:00:00.000Z',
          lastAt: '2026-11-26T00:00:00.000Z',
        },
        {
          namespace: 'shop',
          image: 'r/c',
          reason: 'infrastructure',
          decisions: 1,
          firstAt: '2026-11-27T00:00:00.000Z',
          lastAt: '2026-11-27T00:00:00.000Z',
        },
      ],
    });
    assert.deepEqual(
      r.namespaces.map((n) => n.namespace),
      ['api', 'core', 'shop'],
    );
    const shop = r.namespaces[2];
    assert.ok(shop);
    assert.equal(shop.wouldDeny, 4);
    assert.equal(shop.wouldDenyRatio, 0.4);
    assert.deepEqual(shop.byReason, {
      infrastructure: 1,
      'sbom-missing': 1,
      unsigned: 3,
      vulnerability: 1,
    });
    assert.equal(shop.wouldDenyImages, 3);
    assert.deepEqual(
      shop.topImages.map((i) => i.image),
      ['r/a', 'r/b'],
    );
    assert.deepEqual(shop.topImages[1]?.reasons, ['sbom-missing', 'vulnerability']);
    assert.equal(shop.topImages[1]?.firstAt, '2026-11-26T00:00:00.000Z');
    assert.equal(shop.topImages[1]?.lastAt, '2026-11-29T00:00:00.000Z');
    assert.equal(shop.readyForEnforce, false);
    assert.equal(r.namespaces[0]?.readyForEnforce, true);
    // Already enforced: nothing to move.
    assert.equal(r.namespaces[1]?.readyForEnforce, false);
    assert.equal(r.namespaces[1]?.wouldDenyRatio, null);
    assert.deepEqual(r.totals, { decisions: 17, notEnforced: 15, wouldDeny: 4 });
  });

  it('an empty window is an empty report', () => {
    const r = buildWouldDenyReport({ ...base, counts: [], groups: [] });
    assert.deepEqual(r.namespaces, []);
    assert.equal(r.truncated, false);
  });
});
