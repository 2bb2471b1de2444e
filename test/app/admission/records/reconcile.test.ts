import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type {
  AdmissionDecision,
  ImageVerdict,
  NamespaceConfig,
} from '../../../../src/admission/types.js';
import {
  admissionFigures,
  createDecisionRecorder,
  type ReconcileChecker,
  reconcileDegraded,
  startAdmissionReconciliation,
} from '../../../../src/app/admission/records/index.js';
import { CLI_CALLER } from '../../../../src/app/tokens.js';
import { DEFAULT_SLO_SETTINGS } from '../../../../src/config/index.js';
import { BACKENDS, freshServices, type TestServices } from '../../../helpers/store.js';

/**
 * Reconciliation against a checker written here: our own ImageChecker interface, answering from
 * a table and failing with an infrastructure outcome while `down` (the lead's end-to-end test
 * runs the real engine against the real registry).
 */
class TableChecker implements ReconcileChecker {
  down = false;
  /** Image reference → verdict when up. */
  readonly answers = new Map<string, Omit<ImageVerdict, 'image' | 'cached'>>();
  readonly calls: { image: string; fresh: boolean | undefined }[] = [];
  async check(
    image: string,
    _ns: NamespaceConfig,
    _at: Date,
    o?: { fresh?: boolean },
  ): Promise<ImageVerdict> {
    this.calls.push({ image, fresh: o?.fresh });
    if (this.down)
      return {
        image,
        cached: false,
        outcome: 'infra',
        reason: 'infrastructure',
        message: 'registry unreachable',
        degraded: { upstream: 'registry', via: 'none', detail: 'connection refused' },
      };
    const a = this.answers.get(image);
    if (!a) throw new Error(`no answer for ${image}`);
    return { image, cached: false, ...a };
  }
}

const D = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const NS: NamespaceConfig = {
  cluster: '*',
  namespace: 'shop',
  mode: 'audit',
  policy: { kind: 'admission-default' },
  identities: [],
  requireDigest: true,
  highRisk: false,
  acceptFallback: false,
  version: 0,
};

function degradedDecision(image: string, digest: string, over: Partial<AdmissionDecision> = {}) {
  const d: AdmissionDecision = {
    uid: `u-${image}-${Math.random()}`,
    api: 'admission-review',
    cluster: 'prod',
    namespace: 'shop',
    workload: 'Pod/p',
    operation: 'CREATE',
    dryRun: false,
    mode: 'audit',
    modeSource: 'namespace',
    allowed: true,
    degraded: true,
    warnings: [],
    at: '2026-12-01T10:00:00.000Z',
    images: [
      {
        image,
        digest,
        outcome: 'pass',
        message: 'verified against cached material',
        cached: false,
        effect: 'allow',
        degraded: {
          upstream: 'log',
          via: 'cached-material',
          verifiedAt: '2026-12-01T09:00:00.000Z',
          detail: 'log unreachable',
        },
      },
    ],
    ...over,
  };
  return d;
}

for (const backend of BACKENDS) {
  describe(`reconciliation of degraded decisions (${backend})`, () => {
    let s: TestServices;
    let now = new Date('2026-12-01T10:30:00.000Z');
    const checker = new TableChecker();
    const governanceNs = async (_c: string | undefined, namespace: string) => ({
      ...NS,
      namespace,
    });
    before(async () => {
      s = await freshServices(backend, () => now, { tlog: false });
      const rec = createDecisionRecorder(s);
      await rec.record(degradedDecision('r/ok', D(1)));
      await rec.record(degradedDecision('r/bad', D(2)));
      // Taken in audit with the registry down and no stand-in: infra, allowed by the mode.
      await rec.record(
        degradedDecision('r/unknown', D(3), {
          images: [
            {
              image: 'r/unknown',
              digest: D(3),
              outcome: 'infra',
              reason: 'infrastructure',
              message: 'registry unreachable',
              cached: false,
              effect: 'audit',
            },
          ],
        }),
      );
      // Not degraded: never reconciled.
      await rec.record(degradedDecision('r/fresh', D(4), { degraded: false, images: [] }));
      await rec.flush();
    });
    after(async () => s.close());

    it('with the upstream still down, every decision stays pending (still-failing), and is retried later', async () => {
      checker.down = true;
      const r = await reconcileDegraded(s, checker, governanceNs, now);
      assert.equal(r.checked, 3);
      assert.equal(r.stillFailing, 3);
      assert.equal(r.confirmed + r.overturned, 0);
      const f = await admissionFigures(s, CLI_CALLER, { slo: DEFAULT_SLO_SETTINGS });
      assert.equal(f.pendingReconciliation, 3);
      assert.equal(f.reconciled, 0);
      // Each image checked once, fresh, pinned to the digest that was admitted.
      assert.deepEqual(checker.calls.map((c) => [c.image, c.fresh]).sort(), [
        [`r/bad@${D(2)}`, true],
        [`r/ok@${D(1)}`, true],
        [`r/unknown@${D(3)}`, true],
      ]);
    });

    it('a check that leans on cached material again is no confirmation', async () => {
      checker.down = false;
      checker.answers.set(`r/ok@${D(1)}`, {
        outcome: 'pass',
        message: 'ok',
        degraded: { upstream: 'log', via: 'cached-material', detail: 'still cached' },
      });
      checker.answers.set(`r/bad@${D(2)}`, {
        outcome: 'pass',
        message: 'ok',
        degraded: { upstream: 'log', via: 'cached-material', detail: 'still cached' },
      });
      checker.answers.set(`r/unknown@${D(3)}`, {
        outcome: 'pass',
        message: 'ok',
        degraded: { upstream: 'log', via: 'cached-material', detail: 'still cached' },
      });
      const r = await reconcileDegraded(s, checker, governanceNs, now);
      assert.equal(r.stillFailing, 3);
    });

    it('once upstreams are back: confirmed, overturned with its reason, and the time to reconcile', async () => {
      now = new Date('2026-12-01T11:00:00.000Z');
      checker.answers.set(`r/ok@${D(1)}`, { outcome: 'pass', message: 'signed' });
      checker.answers.set(`r/bad@${D(2)}`, {
        outcome: 'fail',
        reason: 'vulnerability',
        message: 'CVE-2026-0001 is critical and unanswered',
      });
      checker.answers.set(`r/unknown@${D(3)}`, { outcome: 'pass', message: 'signed' });
      const [r, again] = await Promise.all([
        reconcileDegraded(s, checker, governanceNs, now),
        reconcileDegraded(s, checker, governanceNs, now),
      ]);
      // Two runs at once (two replicas): each decision is reconciled once.
      assert.equal(r.confirmed + again.confirmed, 2);
      assert.equal(r.overturned + again.overturned, 1);
      assert.equal(r.skipped + again.skipped, 3);
      const finals = await s.db.kysely
        .selectFrom('admission_reconciliations')
        .selectAll()
        .where('result', '<>', 'still-failing')
        .execute();
      assert.equal(finals.length, 3);
      assert.ok(finals.every((x) => x.seconds === 3600));
      const over = finals.find((x) => x.result === 'overturned');
      assert.match(over?.detail ?? '', /"reason":"vulnerability"/);
      const f = await admissionFigures(s, CLI_CALLER, { slo: DEFAULT_SLO_SETTINGS });
      assert.equal(f.pendingReconciliation, 0);
      assert.equal(f.reconciled, 3);
      assert.equal(f.reconcileMedianSeconds, 3600);
      const next = await reconcileDegraded(s, checker, governanceNs, now);
      assert.equal(next.checked, 0);
    });

    it('figures: time in each mode, the SLO burn and stand-in share from the hourly roll-up', async () => {
      const f = await admissionFigures(s, CLI_CALLER, { slo: DEFAULT_SLO_SETTINGS });
      const shop = f.modeSeconds.filter((m) => m.namespace === 'shop');
      assert.deepEqual(
        shop.map((m) => [m.mode, m.seconds]),
        [['audit', 3600]],
      );
      // 4 decisions, 1 with an infrastructure failure: 25 % bad against 0.1 % allowed.
      assert.equal(f.slo.decisions, 4);
      assert.equal(f.slo.bad, 1);
      assert.ok(Math.abs(f.slo.burnRate - 250) < 1e-6);
      assert.equal(f.admitted.images, 3);
      assert.equal(f.admitted.standIn, 2);
    });
  });
}

for (const backend of BACKENDS) {
  describe(`reconciliation as a periodic job (${backend})`, () => {
    it('runs on the job queue every interval and reconciles what is pending', async () => {
      const s = await freshServices(backend, undefined, { tlog: false, jobs: { pollMs: 50 } });
      const stops: (() => void)[] = [];
      try {
        const checker = new TableChecker();
        checker.answers.set(`r/ok@${D(1)}`, { outcome: 'pass', message: 'signed' });
        const rec = createDecisionRecorder(s);
        await rec.record(degradedDecision('r/ok', D(1)));
        const runs: number[] = [];
        let done: () => void = () => {};
        const confirmed = new Promise<void>((r) => {
          done = r;
        });
        stops.push(
          await startAdmissionReconciliation(
            s,
            { checker, governanceNs: async (_c, namespace) => ({ ...NS, namespace }) },
            {
              intervalMs: 200,
              onRun: (r) => {
                runs.push(r.confirmed);
                if (r.confirmed > 0) done();
              },
            },
          ),
        );
        await Promise.race([
          confirmed,
          new Promise((_, reject) => setTimeout(() => reject(new Error('no run in 20 s')), 20_000)),
        ]);
        const f = await admissionFigures(s, CLI_CALLER, { slo: DEFAULT_SLO_SETTINGS });
        assert.equal(f.pendingReconciliation, 0);
        assert.ok(runs.includes(1));
      } finally {
        for (const stop of stops) stop();
        await s.close();
      }
    });
  });
}
