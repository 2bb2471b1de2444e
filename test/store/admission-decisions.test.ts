import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AdmissionDecision } from '../../src/admission/types.js';
import { createDecisionRecorder } from '../../src/app/admission/records/recorder.js';
import {
  imagesOfDecisions,
  listDecisions,
  listDeployments,
  runningImagesIn,
} from '../../src/store/admission-decisions.js';
import {
  ensureTeam,
  insertArtifact,
  insertProduct,
  insertRelease,
} from '../../src/store/catalogue.js';
import { writeGeneration } from '../../src/store/generation.js';
import { BACKENDS, freshServices, type TestServices } from '../helpers/store.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const D3 = `sha256:${'3'.repeat(64)}`;
const D9 = `sha256:${'9'.repeat(64)}`;

/** A decision as the webhook would hand it over; `over` changes what a test needs. */
export function decision(over: Partial<AdmissionDecision> = {}): AdmissionDecision {
  return {
    uid: `uid-${Math.random().toString(36).slice(2)}`,
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

/** The one image of `decision()`. */
const IMG = decision().images[0] as AdmissionDecision['images'][number];

async function releaseWith(s: TestServices, product: string, digest: string): Promise<number> {
  const now = '2026-11-01T00:00:00.000Z';
  const team = await ensureTeam(s.db.kysely, 'alpha', now);
  const p = await insertProduct(s.db.kysely, team, product, now);
  const r = await insertRelease(s.db.kysely, { productId: p, version: '1.0.0', now });
  await insertArtifact(s.db.kysely, { releaseId: r, digest, name: 'web', now });
  return r;
}

async function deployed(s: TestServices, id: number): Promise<number> {
  const r = await s.db.kysely
    .selectFrom('releases')
    .select('deployed')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return r.deployed;
}

for (const backend of BACKENDS) {
  describe(`admission decision records (${backend})`, () => {
    let s: TestServices;
    before(async () => {
      s = await freshServices(backend, () => new Date('2026-12-01T12:00:00Z'), { tlog: false });
    });
    after(async () => s.close());

    it('stores a decision and its images, and an identified admission as a deployment that marks the release deployed', async () => {
      const rel = await releaseWith(s, 'web', D1);
      const gen = await writeGeneration(s.db.kysely);
      const rec = createDecisionRecorder(s);
      await rec.record(decision());
      const [d] = await listDecisions(s.db.read, { namespace: 'shop', limit: 10 });
      assert.ok(d);
      assert.equal(d.allowed, 1);
      assert.equal(d.cluster, 'prod-eu');
      const imgs = await imagesOfDecisions(s.db.read, [d.id]);
      assert.equal(imgs.length, 1);
      assert.equal(imgs[0]?.digest, D1);
      const deps = await listDeployments(s.db.read, { cluster: 'prod-eu', limit: 10 });
      assert.deepEqual(
        deps.map((x) => [x.namespace, x.digest]),
        [['shop', D1]],
      );
      assert.equal(await deployed(s, rel), 1);
      // The inventory's searches see the change: the generation moved.
      assert.ok((await writeGeneration(s.db.kysely)) > gen);
      const audit = await s.db.kysely
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'release.deployed')
        .execute();
      assert.equal(audit.length, 1);
      assert.equal(audit[0]?.actor, 'admission:prod-eu');
      assert.equal(audit[0]?.team, 'alpha');
      // Admitted again: the deployment's last time moves, nothing else is written again.
      const gen2 = await writeGeneration(s.db.kysely);
      await rec.record(decision({ at: '2026-12-01T11:00:00.000Z' }));
      const again = await listDeployments(s.db.read, { cluster: 'prod-eu', limit: 10 });
      assert.equal(again.length, 1);
      assert.equal(again[0]?.first_admitted_at, '2026-12-01T10:00:00.000Z');
      assert.equal(again[0]?.last_admitted_at, '2026-12-01T11:00:00.000Z');
      assert.equal(await writeGeneration(s.db.kysely), gen2);
    });

    it('with a refresh interval, every decision is stored but a deployment is rewritten at most once per interval', async () => {
      const rec = createDecisionRecorder(s, { deploymentRefreshMs: 60_000 });
      const image = { ...IMG, image: `r/refresh@${D9}`, digest: D9 };
      const at = (m: number) => `2026-12-01T10:${String(m).padStart(2, '0')}:00.000Z`;
      await rec.record(decision({ namespace: 'refresh', images: [image], at: at(0) }));
      await rec.record(decision({ namespace: 'refresh', images: [image], at: at(1) }));
      assert.equal((await listDecisions(s.db.read, { namespace: 'refresh', limit: 10 })).length, 2);
      const deps = await listDeployments(s.db.read, { digest: D9, limit: 10 });
      assert.equal(deps.length, 1);
      // Written a moment ago: the second admission stored as a decision, the deployment left as is.
      assert.equal(deps[0]?.last_admitted_at, at(0));
      // Another namespace is another deployment: written at once.
      await rec.record(decision({ namespace: 'refresh-2', images: [image], at: at(2) }));
      assert.equal((await listDeployments(s.db.read, { digest: D9, limit: 10 })).length, 2);
    });

    it('an unidentified caller: the decision is stored, nothing is recorded as deployed', async () => {
      const rel = await releaseWith(s, 'unknown-caller', D2);
      const rec = createDecisionRecorder(s);
      const { cluster: _, ...anonymous } = decision({
        namespace: 'anon',
        images: [{ ...IMG, image: `r/x@${D2}`, digest: D2 }],
      });
      await rec.record(anonymous);
      assert.equal((await listDecisions(s.db.read, { namespace: 'anon', limit: 10 })).length, 1);
      assert.equal((await listDeployments(s.db.read, { digest: D2, limit: 10 })).length, 0);
      assert.equal(await deployed(s, rel), 0);
      const firsts = await s.db.kysely
        .selectFrom('admission_image_firsts')
        .selectAll()
        .where('digest', '=', D2)
        .execute();
      assert.equal(firsts.length, 0);
    });

    it('a dry run and a denial record no deployment', async () => {
      const rel = await releaseWith(s, 'dry', D3);
      const rec = createDecisionRecorder(s);
      const img = { ...IMG, image: `r/y@${D3}`, digest: D3 };
      await rec.record(decision({ namespace: 'dry', dryRun: true, images: [img] }));
      await rec.record(
        decision({
          namespace: 'dry',
          allowed: false,
          message: 'unsigned',
          at: '2026-12-01T10:05:00.000Z',
          images: [{ ...img, outcome: 'fail', reason: 'unsigned', effect: 'deny' }],
        }),
      );
      assert.equal((await listDecisions(s.db.read, { namespace: 'dry', limit: 10 })).length, 2);
      assert.equal((await listDeployments(s.db.read, { digest: D3, limit: 10 })).length, 0);
      assert.equal(await deployed(s, rel), 0);
      // The denial is the digest's first denial; once admitted, the block is resolved.
      await rec.record(
        decision({ namespace: 'dry', at: '2026-12-01T10:35:00.000Z', images: [img] }),
      );
      const f = await s.db.kysely
        .selectFrom('admission_image_firsts')
        .selectAll()
        .where('digest', '=', D3)
        .executeTakeFirstOrThrow();
      assert.equal(f.first_denied_at, '2026-12-01T10:05:00.000Z');
      assert.equal(f.first_admitted_at, '2026-12-01T10:35:00.000Z');
      assert.equal(await deployed(s, rel), 1);
    });

    it('filters decisions by reason and allowed, newest first, keyset-paged', async () => {
      const rec = createDecisionRecorder(s);
      const img = IMG;
      await Promise.all(
        [0, 1, 2, 3].map((n) =>
          rec.record(
            decision({
              namespace: 'paged',
              allowed: n % 2 === 0,
              at: `2026-12-01T09:0${n}:00.000Z`,
              images: [
                n % 2 === 0
                  ? img
                  : { ...img, outcome: 'fail', reason: 'vulnerability', effect: 'deny' },
              ],
            }),
          ),
        ),
      );
      await rec.flush();
      const denied = await listDecisions(s.db.read, {
        namespace: 'paged',
        reason: 'vulnerability',
        limit: 10,
      });
      assert.equal(denied.length, 2);
      assert.ok(denied.every((d) => d.allowed === 0));
      const p1 = await listDecisions(s.db.read, { namespace: 'paged', limit: 3 });
      const p2 = await listDecisions(s.db.read, {
        namespace: 'paged',
        limit: 3,
        before: p1[2]?.id ?? 0,
      });
      assert.equal(p1.length + p2.length, 4);
      assert.ok((p1[0]?.id ?? 0) > (p1[1]?.id ?? 0));
      assert.equal(new Set([...p1, ...p2].map((d) => d.id)).size, 4);
    });

    it('runningImagesIn: the images admitted in the namespaces (the blast radius of an override)', async () => {
      const r = await runningImagesIn(s.db.read, ['shop', 'dry', 'nowhere']);
      assert.deepEqual(r.namespaces, ['dry', 'nowhere', 'shop']);
      assert.deepEqual(r.images.map((i) => [i.namespace, i.digest]).sort(), [
        ['dry', D3],
        ['shop', D1],
      ]);
      assert.equal(r.total, 2);
      assert.equal((await runningImagesIn(s.db.read, [])).images.length, 0);
    });

    it('keeps mode periods per namespace (time in audit versus enforce)', async () => {
      const rec = createDecisionRecorder(s);
      await rec.record(
        decision({ namespace: 'modes', mode: 'audit', at: '2026-11-01T00:00:00.000Z' }),
      );
      await rec.record(
        decision({ namespace: 'modes', mode: 'audit', at: '2026-11-02T00:00:00.000Z' }),
      );
      await rec.record(
        decision({ namespace: 'modes', mode: 'enforce', at: '2026-11-05T00:00:00.000Z' }),
      );
      const periods = await s.db.kysely
        .selectFrom('admission_mode_periods')
        .selectAll()
        .where('namespace', '=', 'modes')
        .orderBy('id')
        .execute();
      assert.deepEqual(
        periods.map((p) => [p.mode, p.started_at, p.ended_at]),
        [
          ['audit', '2026-11-01T00:00:00.000Z', '2026-11-05T00:00:00.000Z'],
          ['enforce', '2026-11-05T00:00:00.000Z', null],
        ],
      );
    });

    it('a database failure never rejects record(): the batch is kept and written once the database is back', async () => {
      const failures: unknown[] = [];
      const recorded: string[] = [];
      let down = true;
      const kysely = new Proxy(s.db.kysely, {
        get(t, p) {
          if ((p === 'transaction' || p === 'getExecutor') && down)
            return () => {
              throw new Error('connection refused');
            };
          const v = Reflect.get(t, p);
          return typeof v === 'function' ? v.bind(t) : v;
        },
      });
      const flaky = { ...s, db: { ...s.db, kysely } };
      const rec = createDecisionRecorder(flaky, {
        retryMs: 60_000,
        failed: (e) => failures.push(e),
        recorded: (d) => recorded.push(d.uid),
      });
      await rec.record(decision({ uid: 'kept-1', namespace: 'outage' }));
      await rec.record(decision({ uid: 'kept-2', namespace: 'outage' }));
      assert.equal(failures.length, 1);
      assert.deepEqual(recorded, []);
      assert.equal(rec.backlog, 2);
      assert.equal((await listDecisions(s.db.read, { namespace: 'outage', limit: 10 })).length, 0);
      down = false;
      await rec.flush();
      assert.deepEqual(recorded.sort(), ['kept-1', 'kept-2']);
      assert.equal(rec.backlog, 0);
      assert.equal((await listDecisions(s.db.read, { namespace: 'outage', limit: 10 })).length, 2);
      await rec.close();
    });

    it('a decision the store refuses is dropped alone; the others of its batch are written', async () => {
      const dropped: number[] = [];
      const rec = createDecisionRecorder(s, { dropped: (n) => dropped.push(n) });
      const bad = decision({ uid: 'poison', namespace: 'poison' });
      // A null where the store requires a value (a caller's bug): refused by the database.
      (bad as { workload: unknown }).workload = null;
      const good = decision({ uid: 'fine', namespace: 'poison' });
      await Promise.all([
        rec.record(decision({ namespace: 'poison' })),
        rec.record(bad),
        rec.record(good),
      ]);
      await rec.flush();
      const rows = await listDecisions(s.db.read, { namespace: 'poison', limit: 10 });
      assert.equal(rows.length, 2);
      assert.ok(rows.some((r) => r.uid === 'fine'));
      assert.deepEqual(dropped, [1]);
      // Alone in its batch, it is refused the same way (the database answers: not an outage).
      await rec.record(bad);
      assert.deepEqual(dropped, [1, 1]);
      assert.equal(rec.backlog, 0);
    });
  });
}
