import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { SEED_001_ENGINE } from '../../../src/app/triggers/index.js';
import type { CliIO } from '../../../src/cli/io.js';
import { run } from '../../../src/cli/main.js';
import { conformancePath, REPO_ROOT } from '../../helpers/conformance.js';
import { BACKENDS, call, errorCode, push, sbomFixtures } from '../../helpers/server.js';
import { startTriggerServer, type TriggerServer } from './harness.js';

// biome-ignore lint/suspicious/noExplicitAny: API answers are poked at freely
type Json = any;

/** lodash 4.17.20 (the demo app's) is affected by both. */
const OLD_ADVISORY = 'GHSA-29mw-wpgm-hmr9';
const NEW_ADVISORY = 'GHSA-35jh-r3h4-6jhm';

function osv(id: string): Json {
  return JSON.parse(readFileSync(conformancePath('osv', 'npm', `${id}.json`), 'utf8'));
}

async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function cli(argv: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    cwd: REPO_ROOT,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

/**
 * The scheduled review (Pattern 3) through a real server: per product the changes since its last
 * SBOM and its releases without one, the advisories ingested since the date with the products
 * they affect, and the batched SBOM and VEX work; only the caller's teams.
 */
for (const backend of BACKENDS) {
  describe(`GET /api/v1/review and custody review (${backend})`, { timeout: 120_000 }, () => {
    let now = Date.parse('2026-12-01T10:00:00.000Z');
    const SINCE = '2026-12-02';
    let srv: TriggerServer;
    let a: string;
    let b: string;
    let admin: string;
    let review: Json;

    const event = async (body: Record<string, unknown>) => {
      const r = await call(srv, 'POST', '/api/v1/events', {
        token: a,
        body: { team: 'a', at: new Date(now).toISOString(), ...body },
      });
      assert.equal(r.status, 201, r.text);
      return r.json.id as number;
    };
    const get = async (token: string, since = SINCE) =>
      call(srv, 'GET', `/api/v1/review?since=${encodeURIComponent(since)}`, { token });

    before(async () => {
      srv = await startTriggerServer(backend, {
        engine: SEED_001_ENGINE,
        clock: () => new Date(now),
      });
      a = await srv.token('publisher', ['a']);
      b = await srv.token('publisher', ['b']);
      admin = await srv.token('admin');
      const { demo } = await sbomFixtures();

      // Day 1: an advisory, a release event met by its SBOM push, another team's product.
      const old = await call(srv, 'POST', '/api/v1/advisories', {
        token: admin,
        body: [osv(OLD_ADVISORY)],
      });
      assert.equal(old.status, 201, old.text);
      await event({ kind: 'release', product: 'shop', version: '1.0.0', previousVersion: '0.9.0' });
      now += 60_000;
      const p = await push(srv, a, demo, { product: 'shop', release: '1.0.0' });
      assert.equal(p.status, 201, p.text);
      const q = await push(srv, b, demo, { product: 'other', release: '1.0.0' });
      assert.equal(q.status, 201, q.text);
      await until('the old advisory matched', async () => {
        const r = await call(srv, 'GET', `/api/v1/vulnerabilities?id=${OLD_ADVISORY}`, {
          token: a,
        });
        return r.json?.items?.[0]?.affected?.length > 0 ? true : undefined;
      });

      // Day 2: a new release (no SBOM pushed for it), a commit, and a new advisory.
      now = Date.parse('2026-12-02T09:00:00.000Z');
      await event({ kind: 'release', product: 'shop', version: '1.1.0', previousVersion: '1.0.0' });
      await event({
        kind: 'commit',
        product: 'shop',
        commit: '9f2c1e7b5a3d4c6e8f0a1b2c3d4e5f6a7b8c9d0e',
        branch: 'main',
        onReleaseBranch: false,
        context: 'docs: fix typo',
      });
      const fresh = await call(srv, 'POST', '/api/v1/advisories', {
        token: admin,
        body: [osv(NEW_ADVISORY)],
      });
      assert.equal(fresh.status, 201, fresh.text);
      now += 30 * 60_000; // the 1.1.0 SBOM is 15 minutes overdue by now
      review = await until('the new advisory matched', async () => {
        const r = await get(a);
        assert.equal(r.status, 200, r.text);
        return r.json.advisories.length > 0 ? r.json : undefined;
      });
    });
    after(() => srv.close());

    it('lists per product the changes since its last SBOM and the releases without one', () => {
      assert.deepEqual(
        review.products.map((p: Json) => p.product),
        ['shop'],
        'only team a’s products',
      );
      const [shop] = review.products;
      assert.equal(shop.lastSbomAt, '2026-12-01T10:01:00.000Z');
      assert.deepEqual(
        shop.changes.map((c: Json) => c.kind),
        ['release', 'commit'],
        'the 1.0.0 release came before the last SBOM',
      );
      assert.deepEqual(
        shop.withoutSbom.map((w: Json) => [w.version, w.overdue]),
        [['1.1.0', true]],
      );
    });

    it('lists the advisories ingested since the date with the releases they affect, not older ones', () => {
      assert.deepEqual(
        review.advisories.map((x: Json) => [x.id, x.change]),
        [[NEW_ADVISORY, 'new']],
      );
      assert.deepEqual(review.advisories[0].products, [
        { product: 'shop', team: 'a', releases: ['1.0.0'] },
      ]);
      assert.ok(review.advisoriesChanged >= 1);
    });

    it('batches the work: the SBOM to generate and the VEX statement to draft or finish', () => {
      assert.deepEqual(
        review.work.sboms.map((w: Json) => [w.product, w.version, w.action]),
        [['shop', '1.1.0', 'new']],
      );
      const vex = review.work.vex.filter((v: Json) => v.vulnerability === NEW_ADVISORY);
      assert.equal(vex.length, 1, JSON.stringify(review.work.vex));
      assert.equal(vex[0].product, 'shop');
      assert.ok(['draft', 'analyse'].includes(vex[0].action), vex[0].action);
      assert.ok(
        !review.work.vex.some((v: Json) => v.vulnerability === OLD_ADVISORY),
        'the old advisory is not this review’s work',
      );
    });

    it('a since that is no date is refused with REVIEW_SINCE_INVALID', async () => {
      const r = await get(a, 'last tuesday');
      assert.equal(r.status, 400, r.text);
      assert.equal(errorCode(r), 'REVIEW_SINCE_INVALID');
    });

    it('custody review --since prints the same review (JSON) and the work as text', async () => {
      const env = { CUSTODY_URL: srv.base, CUSTODY_TOKEN: a };
      const j = await cli(['review', '--since', SINCE, '--json'], env);
      assert.equal(j.code, 0, j.stderr);
      const body = JSON.parse(j.stdout);
      assert.deepEqual(body.products, review.products);
      assert.deepEqual(body.advisories, review.advisories);
      const t = await cli(['review', '--since', SINCE], env);
      assert.equal(t.code, 0, t.stderr);
      assert.match(t.stdout, /SBOM {2}shop 1\.1\.0 \(release, new\).*OVERDUE/);
      assert.match(t.stdout, new RegExp(`VEX {3}shop ${NEW_ADVISORY}`));
      const bad = await cli(['review', '--since', 'yesterday'], env);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /REVIEW_SINCE_INVALID/);
    });
  });
}
