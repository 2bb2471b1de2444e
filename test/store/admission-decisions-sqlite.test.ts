import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { AdmissionDecision } from '../../src/admission/types.js';
import { createDecisionRecorder } from '../../src/app/admission/records/recorder.js';
import { recordDecisions } from '../../src/store/admission-decisions.js';
import { freshServices, type TestServices } from '../helpers/store.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

function decision(over: Partial<AdmissionDecision> = {}): AdmissionDecision {
  return {
    uid: 'u',
    api: 'admission-review',
    cluster: 'prod-eu',
    namespace: 'shop',
    workload: 'Pod/web-1',
    operation: 'CREATE',
    dryRun: false,
    mode: 'enforce',
    modeSource: 'namespace',
    allowed: true,
    images: [
      {
        image: `registry.local/shop/web@${D1}`,
        digest: D1,
        outcome: 'pass',
        message: 'signed by a trusted identity, with an SBOM',
        cached: false,
        effect: 'allow',
      },
    ],
    degraded: false,
    warnings: [],
    at: '2026-12-01T10:00:00.000Z',
    ...over,
  };
}

/** A decision from an unidentified caller. */
function withoutCluster(over: Partial<AdmissionDecision>): AdmissionDecision {
  const { cluster: _, ...d } = decision(over);
  return d;
}

/** Decisions with every optional field set and unset, long texts and several images. */
function variety(): AdmissionDecision[] {
  return [
    decision({ uid: 'a' }),
    withoutCluster({
      uid: 'b',
      allowed: false,
      dryRun: true,
      mode: 'warn',
      modeSource: 'override',
      overrideId: 'ovr-1',
      message: 'x'.repeat(5000),
      warnings: ['w1', 'y'.repeat(3000)],
      degraded: true,
      images: [
        {
          image: `registry.local/shop/web@${D1}`,
          digest: D1,
          outcome: 'infra',
          reason: 'infrastructure',
          message: 'registry down',
          cached: true,
          effect: 'warn',
          degraded: {
            upstream: 'registry',
            via: 'cached-material',
            verifiedAt: '2026-12-01T09:00:00.000Z',
            detail: 'registry down',
          },
          policy: { name: 'p', version: '3', digest: 'sha256:abc' },
        },
        {
          image: 'registry.local/shop/side:1',
          outcome: 'fail',
          reason: 'unsigned',
          message: 'no signature',
          cached: false,
          effect: 'allow-by-exception',
          exceptionId: 'ex-9',
        },
      ],
    }),
    decision({ uid: 'c', images: [] }),
    decision({
      uid: 'd',
      images: [
        {
          image: `registry.local/shop/api@${D2}`,
          digest: D2,
          outcome: 'pass',
          message: 'ok',
          cached: false,
          effect: 'allow',
        },
      ],
    }),
  ];
}

async function rowsOf(s: TestServices) {
  const decisions = await s.db.kysely
    .selectFrom('admission_decisions')
    .selectAll()
    .orderBy('id')
    .execute();
  const images = await s.db.kysely
    .selectFrom('admission_decision_images')
    .selectAll()
    .orderBy('decision_id')
    .orderBy('image')
    .execute();
  return { decisions, images: images.map(({ id: _id, ...r }) => r) };
}

it('SQLite: decisions written through the prepared statements are the rows the portable path writes', async () => {
  const prepared = await freshServices('sqlite', undefined, { tlog: false });
  const portable = await freshServices('sqlite', undefined, { tlog: false });
  try {
    for (const batch of [variety(), variety().slice(1, 3)]) {
      const a = await prepared.db.kysely
        .transaction()
        .execute((trx) => recordDecisions(trx, 'sqlite', batch, batch, prepared.db.sqlite));
      const b = await portable.db.kysely
        .transaction()
        .execute((trx) => recordDecisions(trx, 'sqlite', batch, batch));
      assert.deepEqual(a, b);
    }
    const a = await rowsOf(prepared);
    assert.equal(a.decisions.length, 6);
    assert.equal(a.images.length, 6);
    assert.deepEqual(a, await rowsOf(portable));
  } finally {
    await prepared.close();
    await portable.close();
  }
});

it('the recorder lingers for a batch: decisions from separate turns share one write, flush writes at once, a full batch does not wait', async () => {
  const s = await freshServices('sqlite', undefined, { tlog: false });
  const count = async () =>
    Number(
      (
        await s.db.kysely
          .selectFrom('admission_decisions')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const turn = () => new Promise<void>((r) => setImmediate(r));
  try {
    const batches: number[] = [];
    let inBatch = 0;
    const r = createDecisionRecorder(s, {
      lingerMs: 60_000,
      maxBatch: 4,
      recorded: () => {
        inBatch++;
      },
    });
    for (let i = 0; i < 3; i++) {
      void r.record(decision({ uid: `l${i}` }));
      await turn();
    }
    await new Promise((res) => setTimeout(res, 50));
    assert.equal(await count(), 0, 'still lingering');
    assert.equal(r.backlog, 3);
    await r.flush();
    assert.equal(await count(), 3);
    batches.push(inBatch);
    inBatch = 0;
    // A full batch goes without waiting for the linger.
    const waits = Array.from({ length: 4 }, (_, i) => r.record(decision({ uid: `f${i}` })));
    await Promise.all(waits);
    assert.equal(await count(), 7);
    batches.push(inBatch);
    assert.deepEqual(batches, [3, 4]);
    await r.close();
  } finally {
    await s.close();
  }
});
