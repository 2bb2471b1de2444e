import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type Answer,
  BACKENDS,
  call,
  errorCode,
  push,
  sbomFixtures,
  snapshot,
  startServer,
  type TestServer,
  tokenFor,
} from '../helpers/server.js';

/** puppeteer's SHA-512 in the CERN example, which only team beta ships. */
const PUPPETEER_SHA512 =
  'd92e84eb2829a2a70409a6a00db068a6848e3c3bf4a4066f4db9c181463eea1ab4fd70c50ce2c430d94717f48a265cdc699f5c9222a3283bae79623714dfd65f';

function assertNotFound(a: Answer, what: string, leakCheck = true): void {
  assert.equal(a.status, 404, `${what}: ${a.status} ${a.text.slice(0, 300)}`);
  assert.equal(errorCode(a), 'INVENTORY_NOT_FOUND', what);
  // Nothing in the answer gives away that the thing exists in another team.
  if (leakCheck) assert.doesNotMatch(a.text, /beta/, what);
}

/** A push into a product another team owns: 409, saying so, without naming the team. */
function assertOtherTeams(a: Answer, what: string): void {
  assert.equal(a.status, 409, `${what}: ${a.status} ${a.text.slice(0, 300)}`);
  assert.equal(errorCode(a), 'INVENTORY_CONFLICT', what);
  assert.match(a.json.error.message, /belongs to another team's scope/, what);
  assert.doesNotMatch(a.text, /beta/, what);
}

for (const backend of BACKENDS) {
  describe(`HTTP team scoping (${backend})`, () => {
    let srv: TestServer;
    let org: { admin: string; auditor: string };
    let alpha: { viewer: string; publisher: string; auditor: string };
    let both: string;
    let a: { release: number; sbom: number };
    let b: { release: number; sbom: number };

    before(async () => {
      srv = await startServer(backend);
      const s = srv.services;
      org = { admin: await tokenFor(s, 'admin'), auditor: await tokenFor(s, 'auditor') };
      alpha = {
        viewer: await tokenFor(s, 'viewer', ['alpha']),
        publisher: await tokenFor(s, 'publisher', ['alpha']),
        auditor: await tokenFor(s, 'auditor', ['alpha']),
      };
      const betaPublisher = await tokenFor(s, 'publisher', ['beta']);
      both = await tokenFor(s, 'publisher', ['alpha', 'beta']);
      const f = await sbomFixtures();
      const pa = await push(srv, alpha.publisher, f.demo, { product: 'a-app', release: '1.0.0' });
      assert.equal(pa.status, 201, pa.text);
      const pb = await push(srv, betaPublisher, f.cern, { product: 'b-app', release: '1.0.0' });
      assert.equal(pb.status, 201, pb.text);
      a = { release: pa.json.sbom.releaseId, sbom: pa.json.sbom.id };
      b = { release: pb.json.sbom.releaseId, sbom: pb.json.sbom.id };
      assert.equal(pa.json.sbom.team, 'alpha');
      assert.equal(pb.json.sbom.team, 'beta');
    });
    after(() => srv.close());

    it('product listings show only the caller’s teams', async () => {
      const mine = await call(srv, 'GET', '/api/v1/products', { token: alpha.viewer });
      assert.deepEqual(
        mine.json.items.map((p: { name: string }) => p.name),
        ['a-app'],
      );
      const all = await call(srv, 'GET', '/api/v1/products', { token: org.admin });
      assert.deepEqual(all.json.items.map((p: { name: string }) => p.name).sort(), [
        'a-app',
        'b-app',
      ]);
    });

    it('another team’s product, release and SBOM are not found, exactly like missing ones', async () => {
      const t = { token: alpha.viewer };
      assertNotFound(await call(srv, 'GET', '/api/v1/products/b-app', t), 'product');
      assertNotFound(
        await call(srv, 'GET', '/api/v1/products/b-app/releases/1.0.0', t),
        'release by version',
      );
      assertNotFound(await call(srv, 'GET', `/api/v1/releases/${b.release}`, t), 'release');
      assertNotFound(await call(srv, 'GET', `/api/v1/sboms/${b.sbom}`, t), 'sbom');
      assertNotFound(await call(srv, 'GET', `/api/v1/sboms/${b.sbom}/document`, t), 'document');
      assertNotFound(
        await call(srv, 'GET', `/api/v1/releases/${b.release}/diff?against=${a.release}`, t),
        'diff to',
      );
      assertNotFound(
        await call(srv, 'GET', `/api/v1/releases/${a.release}/diff?against=${b.release}`, t),
        'diff from',
      );
      // The refusal reads the same as for something that does not exist at all.
      const hidden = await call(srv, 'GET', '/api/v1/products/b-app', t);
      const missing = await call(srv, 'GET', '/api/v1/products/c-app', t);
      assert.equal(
        hidden.json.error.message.replace('b-app', 'X'),
        missing.json.error.message.replace('c-app', 'X'),
      );
      // …while the owner's own things are there.
      assert.equal((await call(srv, 'GET', `/api/v1/releases/${a.release}`, t)).status, 200);
      assert.equal((await call(srv, 'GET', `/api/v1/sboms/${a.sbom}/document`, t)).status, 200);
    });

    it('component search returns nothing of another team', async () => {
      const q = async (token: string, query: string) => {
        const r = await call(srv, 'GET', `/api/v1/components?${query}`, { token });
        assert.equal(r.status, 200, r.text);
        return r.json.items as { product: { name: string; team: string } }[];
      };
      for (const query of [
        'name=puppeteer',
        'purl=pkg:npm/puppeteer',
        `hash=sha512:${PUPPETEER_SHA512}`,
        'license=BSD-2-Clause',
        'license=MIT&limit=500',
        'name=ms',
      ]) {
        const everyone = await q(org.admin, query);
        assert.ok(
          everyone.some((h) => h.product.team === 'beta'),
          `${query}: beta must have a hit for the test to mean anything`,
        );
        const mine = await q(alpha.viewer, query);
        assert.deepEqual(
          mine.filter((h) => h.product.team !== 'alpha'),
          [],
          `${query} leaks another team's components`,
        );
      }
      assert.deepEqual(await q(alpha.viewer, 'name=puppeteer'), []);
    });

    it('portfolio figures count only the caller’s teams', async () => {
      const mine = await call(srv, 'GET', '/api/v1/portfolio', { token: alpha.viewer });
      assert.equal(mine.status, 200);
      assert.equal(mine.json.coverage.products, 1);
      assert.equal(mine.json.coverage.releases, 1);
      assert.equal(mine.json.index.sboms, 1);
      const all = await call(srv, 'GET', '/api/v1/portfolio', { token: org.admin });
      assert.equal(all.json.coverage.products, 2);
      assert.equal(all.json.index.sboms, 2);
      assert.ok(all.json.index.components > mine.json.index.components);
    });

    it('team listings show only the caller’s teams', async () => {
      const mine = await call(srv, 'GET', '/api/v1/teams', { token: alpha.viewer });
      assert.deepEqual(
        mine.json.items.map((t: { name: string }) => t.name),
        ['alpha'],
      );
    });

    it('a team auditor sees only its team’s audit entries', async () => {
      const mine = await call(srv, 'GET', '/api/v1/audit?limit=1000', { token: alpha.auditor });
      assert.equal(mine.status, 200, mine.text);
      assert.ok(mine.json.items.length > 0);
      for (const e of mine.json.items) assert.equal(e.team, 'alpha', JSON.stringify(e));
      const all = await call(srv, 'GET', '/api/v1/audit?limit=1000', { token: org.auditor });
      assert.ok(all.json.items.some((e: { team: string | null }) => e.team === 'beta'));
      assert.ok(all.json.items.length > mine.json.items.length);
    });

    it('a publisher of alpha cannot push into beta’s product or create one in beta', async () => {
      const f = await sbomFixtures();
      const before = await snapshot(srv.services);
      const into = await push(srv, alpha.publisher, f.demo11, {
        product: 'b-app',
        release: '2.0.0',
      });
      assertOtherTeams(into, 'push into b-app');
      const create = await push(srv, alpha.publisher, f.demo11, {
        product: 'new-app',
        release: '1.0.0',
        team: 'beta',
      });
      assertNotFound(create, 'create in beta', false); // the caller named beta itself
      const patch = await call(srv, 'PATCH', `/api/v1/releases/${b.release}`, {
        token: alpha.publisher,
        body: { deployed: true },
      });
      assertNotFound(patch, 'patch beta release');
      assert.deepEqual(await snapshot(srv.services), before);
      const r = await call(srv, 'GET', `/api/v1/releases/${b.release}`, { token: org.admin });
      assert.equal(r.json.deployed, false);
    });

    // Regression test for a fixed bug: a push into another team's product answers "team beta does not exist", naming the owner team it is meant to hide.
    // And for another: it answered "product b-app does not exist", which sent users looking for a typo.
    it('a refused push into another team’s product says so, without naming that team', async () => {
      const f = await sbomFixtures();
      const into = await push(srv, alpha.publisher, f.demo11, {
        product: 'b-app',
        release: '2.0.0',
      });
      assertOtherTeams(into, 'push into b-app');
      assert.doesNotMatch(into.json.error.message, /does not exist/);
    });

    it('a token of several teams must say which team owns a new product', async () => {
      const f = await sbomFixtures();
      const before = await snapshot(srv.services);
      const r = await push(srv, both, f.demo11, { product: 'multi-app', release: '1.0.0' });
      assert.equal(r.status, 400, r.text);
      assert.equal(errorCode(r), 'INVENTORY_INPUT_INVALID');
      assert.deepEqual(await snapshot(srv.services), before);
      const ok = await push(srv, both, f.demo11, {
        product: 'multi-app',
        release: '1.0.0',
        team: 'beta',
      });
      assert.equal(ok.status, 201, ok.text);
      assert.equal(ok.json.sbom.team, 'beta');
    });
  });
}
